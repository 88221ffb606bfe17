"""The command line: index, search, feedback-report, and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peerpath.feedback import FeedbackStore
from peerpath.settings import PROJECT_ROOT

pytestmark = pytest.mark.servers


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "peerpath", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, timeout=300,
    )  # fmt: skip


def test_index_then_search_over_a_folder(fixture_kb: Path, tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path / "var"), "KNOWLEDGE_DIRS": str(fixture_kb)}
    built = run(["index"], env)
    assert built.returncode == 0, built.stderr
    assert "Index ready:" in built.stdout and "Embedding passages" in built.stderr
    found = run(["search", "what do peers earn", "--k", "2", "--json"], env)
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)["results"]
    assert results[0]["chunk_id"] == "peer-jobs#how-much-do-peer-specialists-earn"
    plain = run(["search", "capital of france", "--k", "1"], env)
    assert "(below the answer threshold)" in plain.stdout


def test_bad_input_gets_a_clear_message(tmp_path: Path) -> None:
    empty = run(["search", "  "], {"VAR_DIR": str(tmp_path)})
    assert empty.returncode == 1 and "the query is empty" in empty.stderr
    assert "Traceback" not in empty.stderr
    bad = run(["search", "x"], {"GATEWAY_PORT": "eighty"})
    assert bad.returncode == 2 and "GATEWAY_PORT" in bad.stderr and "eighty" not in bad.stderr


def test_feedback_report_lists_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    store = FeedbackStore(url)
    store.record("wages#pay", "wages", "What do peers earn?", helpful=False)
    store.record("wages#pay", "wages", "What do peers earn?", helpful=True)
    store.record("wrap#what", "wrap", "What is WRAP?", helpful=True)
    store.close()
    report = run(["feedback-report"], {"FEEDBACK_DB_URL": url})
    assert report.returncode == 0, report.stderr
    lines = report.stdout.splitlines()
    assert "wages / What do peers earn?" in lines[1]
    assert lines[-1].split()[:2] == ["1", "2"]
