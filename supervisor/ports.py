"""Before starting anything: is each child's port free, and if not, who holds it?

A child listens where its health check asks (`ProcessSpec.health_url`). A port
held by a process of an earlier run whose supervisor is dead (listed in its
status file, same command line) is that run's leftover: it was told to stop
when its supervisor died, so it gets a few seconds, then SIGKILL. Anything else
holding a port is named (pid and command) and nothing is started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

import psutil  # type: ignore[import-untyped]

from supervisor.status import pid_alive, read_status

if TYPE_CHECKING:
    from supervisor.process import ProcessSpec

LEFTOVER_GRACE_SECONDS = 12.0


@dataclass(frozen=True)
class Taken:
    """A port a child needs, and the process listening on it (pid None if not visible)."""

    name: str
    port: int
    pid: int | None
    command: str

    def message(self) -> str:
        holder = f"pid {self.pid} ({self.command})" if self.pid else "another process"
        return (
            f"Port {self.port}, which {self.name} needs, is taken by {holder}. "
            "Stop it (is PeerPath already running?) or choose another port in .env."
        )


def check(specs: Sequence[ProcessSpec], status_file: Path | None, out: TextIO) -> list[Taken]:
    """The ports still taken after an earlier run's leftovers were stopped (empty: go)."""
    taken = taken_ports(specs)
    old = leftovers(taken, {spec.name: spec for spec in specs}, status_file)
    if old:
        names = ", ".join(f"{t.name} (pid {t.pid})" for t in old)
        out.write(f"peerpath | stopping what an earlier run left running: {names}\n")
        out.flush()
        clear_leftovers(old)
        taken = taken_ports(specs)
    return taken


def port_of(spec: ProcessSpec) -> int | None:
    return urlsplit(spec.health_url).port


def listeners() -> dict[int, int | None]:
    """Every local TCP port something listens on, with the listening pid where visible."""
    found: dict[int, int | None] = {}
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr:
            found[conn.laddr.port] = conn.pid or found.get(conn.laddr.port)
    return found


def command_name(pid: int) -> str:
    """The program and, for `python -m x`, its module: no other arguments (they may be secret)."""
    try:
        process = psutil.Process(pid)
        name, argv = process.name(), process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "unknown"
    if "-m" in argv[:-1]:
        return f"{name} -m {argv[argv.index('-m') + 1]}"
    return name


def taken_ports(specs: Sequence[ProcessSpec]) -> list[Taken]:
    listening = listeners()
    taken = []
    for spec in specs:
        port = port_of(spec)
        if port is not None and port in listening:
            pid = listening[port]
            taken.append(Taken(spec.name, port, pid, command_name(pid) if pid else "unknown"))
    return taken


def leftovers(
    taken: Iterable[Taken], specs: Mapping[str, ProcessSpec], status_file: Path | None
) -> list[Taken]:
    """The holders that are children of an earlier run whose supervisor is dead."""
    status = read_status(status_file) if status_file else None
    if status is None or (status.supervisor is not None and pid_alive(status.supervisor)):
        return []  # no earlier run, or it is still running: its children are not leftovers
    listed = {name: p.pid for name, p in status.processes.items() if p.pid is not None}
    return [
        t for t in taken
        if t.pid is not None and t.pid in listed.values() and _runs(t.pid, specs[t.name].argv)
    ]  # fmt: skip


def _runs(pid: int, argv: Sequence[str]) -> bool:
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).cmdline() == list(argv)
    return False


def clear_leftovers(found: Sequence[Taken], grace: float = LEFTOVER_GRACE_SECONDS) -> None:
    """Give an earlier run's leftovers a grace period to stop, then SIGKILL their groups."""
    pids = [t.pid for t in found if t.pid is not None]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # each child leads its own group
    deadline = time.monotonic() + 2.0  # SIGKILL is asynchronous: let the ports go
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
