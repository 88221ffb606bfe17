"""The status file (processes.json): what the supervisor writes, and when to believe it.

    {"updated": <unix time>, "heartbeat": 5.0, "supervisor": <pid>,
     "processes": {"rasa": {"state": "ready", "restarts": 0, "last_exit": null, "pid": 123}}}

The supervisor rewrites it on every change and at least every `heartbeat`
seconds. A reader believes it only while it is fresh (rewritten within
STALE_AFTER_BEATS heartbeats) and its supervisor is alive; a process whose
pid is dead is reported "unknown", not as the state last written. The
gateway's /health reads it through `health_report`.

Standard library only: the gateway imports this module.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HEARTBEAT_SECONDS = 5.0
STALE_AFTER_BEATS = 3


@dataclass(frozen=True)
class ProcessStatus:
    """One child as the supervisor last saw it."""

    state: str  # starting | ready | restarting | failed | stopped
    restarts: int = 0
    last_exit: int | None = None
    pid: int | None = None


@dataclass(frozen=True)
class Status:
    """The whole file."""

    updated: float
    heartbeat: float
    supervisor: int | None
    processes: Mapping[str, ProcessStatus]

    def fresh(self, now: float) -> bool:
        return now - self.updated <= STALE_AFTER_BEATS * self.heartbeat


def write_status(path: Path, status: Status) -> None:
    """Replace the file at once (a reader never sees half of it)."""
    data = {
        "updated": status.updated,
        "heartbeat": status.heartbeat,
        "supervisor": status.supervisor,
        "processes": {name: asdict(p) for name, p in status.processes.items()},
    }
    staging = path.with_suffix(".tmp")
    staging.write_text(json.dumps(data), encoding="utf-8")
    staging.replace(path)


def parse(data: object) -> Status | None:
    """The file's JSON as a Status; None when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("processes"), dict):
        return None
    try:
        processes = {
            str(name): ProcessStatus(
                state=str(p["state"]),
                restarts=int(p.get("restarts", 0)),
                last_exit=_int_or_none(p.get("last_exit")),
                pid=_int_or_none(p.get("pid")),
            )
            for name, p in data["processes"].items()
        }
        return Status(
            updated=float(data["updated"]),
            heartbeat=float(data.get("heartbeat", HEARTBEAT_SECONDS)),
            supervisor=_int_or_none(data.get("supervisor")),
            processes=processes,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def read_status(path: Path) -> Status | None:
    """The file at `path`; None if it is missing or not a status file."""
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    """A running process (a zombie is dead: it only waits to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust the signal
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def trusted(status: Status, now: float, alive: Callable[[int], bool] = pid_alive) -> bool:
    """Fresh, and written by a supervisor that is still running."""
    return status.fresh(now) and status.supervisor is not None and alive(status.supervisor)


def health_report(
    status: Status | None, now: float, alive: Callable[[int], bool] = pid_alive
) -> dict[str, Any] | None:
    """What /health says about the supervised processes (None: not run by a supervisor)."""
    if status is None:
        return None
    if not trusted(status, now, alive):
        return {
            "supervisor": "unknown",
            "processes": {name: {"state": "unknown"} for name in status.processes},
        }
    processes = {}
    for name, process in status.processes.items():
        entry = asdict(process)
        if process.pid is not None and not alive(process.pid):
            entry["state"] = "unknown"  # died since the last write: the supervisor will see
        processes[name] = entry
    return {"supervisor": "ok", "processes": processes}


def report_file(path: Path) -> dict[str, Any] | None:
    """`health_report` for the file at `path`, now."""
    return health_report(read_status(path), time.time())


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
