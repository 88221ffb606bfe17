"""The gateway's /health and the supervisor's status file: believed only while it is true.

A real gateway in-process (Rasa not running), a status file written as the
supervisor writes it; the rules themselves are specified in
tests/specs/test_status_file.py.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.settings import Settings
from supervisor.status import ProcessStatus, Status, write_status


@pytest.fixture
def client(offline_settings: Settings, small_index, safety_net) -> Iterator[TestClient]:
    app = create_app(offline_settings, index=small_index, safety=safety_net)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


def write(settings: Settings, age: float, supervisor: int, rasa_pid: int) -> None:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    write_status(settings.var_dir / "processes.json", Status(
        time.time() - age, 5.0, supervisor,
        {"rasa": ProcessStatus("ready", restarts=2, pid=rasa_pid),
         "actions": ProcessStatus("restarting", restarts=1)},
    ))  # fmt: skip


def test_a_live_supervisors_fresh_file_is_reported(client, offline_settings) -> None:
    write(offline_settings, age=1, supervisor=os.getpid(), rasa_pid=os.getpid())
    body = client.get("/health").json()
    assert body["supervisor"] == "ok"
    assert body["processes"]["rasa"]["state"] == "ready"
    assert body["processes"]["rasa"]["restarts"] == 2
    assert body["processes"]["actions"]["state"] == "restarting"


def test_a_dead_pid_is_unknown_not_ready(client, offline_settings) -> None:
    write(offline_settings, age=1, supervisor=os.getpid(), rasa_pid=dead_pid())
    body = client.get("/health").json()
    assert body["processes"]["rasa"] == {"state": "unknown", "restarts": 2, "last_exit": None,
                                        "pid": body["processes"]["rasa"]["pid"]}  # fmt: skip


@pytest.mark.parametrize("why", ["stale", "supervisor dead"])
def test_a_file_left_by_a_dead_or_silent_supervisor_says_unknown(
    client, offline_settings, why: str
) -> None:
    if why == "stale":
        write(offline_settings, age=60, supervisor=os.getpid(), rasa_pid=os.getpid())
    else:
        write(offline_settings, age=1, supervisor=dead_pid(), rasa_pid=os.getpid())
    body = client.get("/health").json()
    assert body["supervisor"] == "unknown"
    assert body["processes"] == {"rasa": {"state": "unknown"}, "actions": {"state": "unknown"}}
    assert body["rasa"] == "down", "the live checks still say what answers"


def test_without_a_status_file_nothing_is_claimed(client) -> None:
    body = client.get("/health").json()
    assert "supervisor" not in body and "processes" not in body
