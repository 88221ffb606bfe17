"""Specs for when /health believes the supervisor's status file (supervisor/status.py).

The file is believed while it is fresh (rewritten within a few heartbeats) and
its supervisor is alive; a process whose pid is dead is "unknown", never the
state last written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from supervisor.status import (
    STALE_AFTER_BEATS,
    ProcessStatus,
    Status,
    health_report,
    parse,
    read_status,
    write_status,
)

NOW = 1_000_000.0
SUPERVISOR, RASA, GATEWAY = 100, 200, 300


def status(age: float, heartbeat: float = 5.0, supervisor: int | None = SUPERVISOR) -> Status:
    return Status(
        updated=NOW - age,
        heartbeat=heartbeat,
        supervisor=supervisor,
        processes={
            "rasa": ProcessStatus("ready", restarts=1, last_exit=-9, pid=RASA),
            "gateway": ProcessStatus("ready", pid=GATEWAY),
            "actions": ProcessStatus("restarting", restarts=2, pid=None),
        },
    )


def alive_except(*dead: int) -> Callable[[int], bool]:
    return lambda pid: pid not in dead


CASES = [
    # what happened, the file, pids that are dead, what /health says of supervisor and states
    ("just written, all alive", status(age=0.1), (),
     "ok", {"rasa": "ready", "gateway": "ready", "actions": "restarting"}),
    ("written two heartbeats ago", status(age=10), (),
     "ok", {"rasa": "ready", "gateway": "ready", "actions": "restarting"}),
    ("not rewritten for more than three heartbeats", status(age=5 * STALE_AFTER_BEATS + 1), (),
     "unknown", {"rasa": "unknown", "gateway": "unknown", "actions": "unknown"}),
    ("a short heartbeat goes stale sooner", status(age=4, heartbeat=1), (),
     "unknown", {"rasa": "unknown", "gateway": "unknown", "actions": "unknown"}),
    ("fresh, but the supervisor was killed", status(age=1), (SUPERVISOR,),
     "unknown", {"rasa": "unknown", "gateway": "unknown", "actions": "unknown"}),
    ("a file that names no supervisor (an older supervisor wrote it)",
     status(age=1, supervisor=None), (),
     "unknown", {"rasa": "unknown", "gateway": "unknown", "actions": "unknown"}),
    ("fresh, but Rasa died since the last write", status(age=1), (RASA,),
     "ok", {"rasa": "unknown", "gateway": "ready", "actions": "restarting"}),
]  # fmt: skip


@pytest.mark.parametrize(("file", "dead", "supervisor", "states"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])  # fmt: skip
def test_health_believes_the_file_only_while_fresh_and_alive(
    file: Status, dead: tuple[int, ...], supervisor: str, states: dict[str, str]
) -> None:
    report = health_report(file, NOW, alive_except(*dead))
    assert report is not None
    assert report["supervisor"] == supervisor
    assert {name: p["state"] for name, p in report["processes"].items()} == states


def test_a_believed_file_reports_restarts_and_pids() -> None:
    report = health_report(status(age=1), NOW, alive_except())
    assert report is not None
    assert report["processes"]["rasa"] == {"state": "ready", "restarts": 1, "last_exit": -9,
                                           "pid": RASA}  # fmt: skip


def test_a_stale_file_reports_no_stale_details() -> None:
    report = health_report(status(age=60), NOW, alive_except())
    assert report is not None
    assert report["processes"]["rasa"] == {"state": "unknown"}


def test_no_file_means_not_supervised(tmp_path: Path) -> None:
    assert health_report(read_status(tmp_path / "processes.json"), NOW) is None


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"processes": 3}',
                                  '{"processes": {"rasa": {}}, "updated": 1}',
                                  '{"processes": {}}'])  # fmt: skip
def test_a_file_that_is_not_a_status_file_is_ignored(tmp_path: Path, text: str) -> None:
    path = tmp_path / "processes.json"
    path.write_text(text)
    assert read_status(path) is None


def test_what_is_written_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "processes.json"
    write_status(path, status(age=0))
    assert read_status(path) == status(age=0)
    assert parse(json.loads(path.read_text())) == status(age=0)
    assert not path.with_suffix(".tmp").exists()
