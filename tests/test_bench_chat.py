"""Every piece `make bench-chat` measures still works (a short run, not a benchmark)."""

from __future__ import annotations

import pytest

from eval.bench.chat_bench import ROOT, measure, table

pytestmark = pytest.mark.slow


def test_a_short_bench_chat_run_measures_everything() -> None:
    result = measure(ROOT, seconds=4, users=2, warmup=2)
    assert result["start_to_healthy_s"] > 0
    for run in ("sequential", "gateway", "rasa_alone"):
        assert result[run]["messages"] > 0 and result[run]["errors"] == 0, run
        assert 0 < result[run]["p50_ms"] <= result[run]["p95_ms"] <= result[run]["p99_ms"]
    assert set(result["rss_mb"]) == {"rasa", "actions", "gateway"}
    assert all(mb > 50 for mb in result["rss_mb"].values())
    assert "msg/s" in table({"now": result})
