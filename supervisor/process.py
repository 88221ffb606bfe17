"""Children, their output, their health, restarts with back-off, and shutdown.

Each child runs in its own process group with its output prefixed by its
name. A child that dies, or stops answering its health check for about a
minute, is restarted after a back-off (1 s, 2 s, 4 s ... 30 s) while the
others keep serving; the supervisor gives up, stops everything and exits 1
only after repeated fast crashes (five in a row, each within 30 s of its
start). Ctrl-C (or SIGTERM) stops all children; if the supervisor itself dies,
its children die with it (orphans.py). Nothing starts while a port a child
needs is taken (ports.py). What each child is doing is written to a status
file (status.py), refreshed every few seconds, that the gateway's /health reports.

Single-threaded on purpose: one select loop pumps output, checks health and
(re)starts children.
"""

from __future__ import annotations

import collections
import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from peerpath import logs
from supervisor import ports
from supervisor.orphans import Reaper, die_with_parent
from supervisor.status import HEARTBEAT_SECONDS, ProcessStatus, Status, write_status

TAIL_LINES = 30
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class ProcessSpec:
    """How to start one child process and how to tell it is ready."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    health_url: str
    start_timeout: float
    cwd: str


@dataclass(frozen=True)
class RestartPolicy:
    """When a child is restarted, and when the supervisor gives up."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    fast_crash_seconds: float = 30.0  # dying sooner than this after a start is a fast crash
    max_fast_crashes: int = 5  # this many fast crashes in a row: give up
    liveness_interval: float = 10.0  # how often a ready child's health is checked
    liveness_failures: int = 6  # unanswered checks in a row before a restart
    heartbeat: float = HEARTBEAT_SECONDS  # the status file is rewritten at least this often

    def delay(self, restarts: int) -> float:
        return float(min(self.first_delay * 2 ** max(restarts - 1, 0), self.max_delay))


class Child:
    """A running child: its process, a buffer of partial output and a tail.

    Output goes to a pipe the supervisor pumps, or to `log_path` (tests).
    """

    def __init__(self, spec: ProcessSpec, log_path: Path | None = None) -> None:
        self.spec = spec
        self.log_path = log_path
        out = log_path.open("ab") if log_path else subprocess.PIPE
        try:
            self.process = subprocess.Popen(
                spec.argv,
                cwd=spec.cwd,
                env=dict(spec.env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stopping it stops its children too
                preexec_fn=die_with_parent(),
            )
        finally:
            if log_path:
                out.close()  # type: ignore[union-attr]
        if self.process.stdout is not None:
            os.set_blocking(self.process.stdout.fileno(), False)
        self.started_at = time.monotonic()
        self.ready = False
        self.partial = b""
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


@dataclass
class Record:
    """What the supervisor knows about one child across restarts."""

    state: str = "starting"  # starting | ready | restarting | failed | stopped
    restarts: int = 0
    fast_crashes: int = 0
    last_exit: int | None = None
    restart_at: float = 0.0
    health_failures: int = 0
    next_check: float = 0.0
    log_path: Path | None = None


class Supervisor:
    """Starts children, pumps their output, restarts them, and stops them together."""

    def __init__(
        self,
        specs: Sequence[ProcessSpec],
        out: TextIO = sys.stdout,
        policy: RestartPolicy | None = None,
        status_file: Path | None = None,
        reaper: Reaper | None = None,
        log_format: str = "text",
    ) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.log_format = log_format
        self.children: dict[str, Child] = {}
        self.records = {spec.name: Record() for spec in specs}
        self.out = out
        self.policy = policy or RestartPolicy()
        self.status_file = status_file
        self.selector = selectors.DefaultSelector()
        self.stop_requested = False
        self.width = max(len(name) for name in self.specs)
        self._http = httpx.Client(timeout=5.0)
        self._owns_reaper = reaper is None
        self.reaper = reaper or Reaper()
        self._next_beat = 0.0

    def say(self, name: str, line: str) -> None:
        if self.log_format == "json":
            self.out.write(logs.child_json_line(name, line) + "\n")
        else:
            self.out.write(f"{name:<{self.width}} | {line}\n")
        self.out.flush()

    # --- one child -------------------------------------------------------------

    def start(self, name: str, log_path: Path | None = None) -> Child:
        record = self.records[name]
        record.log_path = log_path or record.log_path
        child = Child(self.specs[name], record.log_path)
        self.children[name] = child
        self.reaper.watch(child.process.pid)
        record.state, record.health_failures = "starting", 0
        if child.process.stdout is not None:
            self.selector.register(child.process.stdout, selectors.EVENT_READ, child)
        self.say("peerpath", f"started {name} (pid {child.process.pid})")
        self.write_status()
        return child

    def stop(self, name: str) -> None:
        """Stop one child (SIGTERM, then SIGKILL after the grace period)."""
        child = self.children.pop(name)
        child.signal_group(signal.SIGTERM)
        try:
            child.process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.signal_group(signal.SIGKILL)
            child.process.wait()
        self._forget_output(child)
        self.reaper.forget(child.process.pid)
        self.records[name].state = "stopped"
        self.write_status()

    def _forget_output(self, child: Child) -> None:
        if child.process.stdout is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(child.process.stdout)
            child.process.stdout.close()

    def healthy(self, name: str) -> bool:
        try:
            return self._http.get(self.specs[name].health_url).status_code == 200
        except httpx.HTTPError:
            return False

    # --- output -------------------------------------------------------------------

    def pump(self, timeout: float) -> None:
        """Print whatever output the children have, waiting at most `timeout` s."""
        if not self.selector.get_map():
            time.sleep(timeout)
            return
        for key, _ in self.selector.select(timeout):
            child: Child = key.data
            try:
                chunk = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                self.selector.unregister(key.fileobj)
                chunk = b"\n" if child.partial else b""
            lines = (child.partial + chunk).split(b"\n")
            child.partial = lines.pop()
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip()
                if line:
                    child.tail.append(line)
                    self.say(child.spec.name, line)

    # --- start-up -----------------------------------------------------------------

    def dead(self) -> Child | None:
        for child in self.children.values():
            if child.process.poll() is not None:
                return child
        return None

    def wait_healthy(self, names: Sequence[str]) -> bool:
        """Pump output until every named child answers its health check.

        False if one dies or misses its start timeout first (nothing is restarted
        here: a child that can't start at all needs a person, not a loop).
        """
        pending = {name: time.monotonic() + self.specs[name].start_timeout for name in names}
        while pending and not self.stop_requested:
            self.pump(0.5)
            if self.dead() is not None:
                return False
            for name, deadline in list(pending.items()):
                self.beat()  # a health check may take seconds: beat between them
                if self.healthy(name):
                    self.say("peerpath", f"{name} is ready")
                    self._mark_ready(name)
                    del pending[name]
                elif time.monotonic() > deadline:
                    self.say("peerpath", f"{name} did not become ready in time")
                    return False
        return not pending

    def _mark_ready(self, name: str) -> None:
        record = self.records[name]
        self.children[name].ready = True
        record.state, record.health_failures = "ready", 0
        record.next_check = time.monotonic() + self.policy.liveness_interval
        self.write_status()

    def report_death(self, child: Child) -> None:
        self.pump(0.2)
        code = child.process.returncode
        self.say("peerpath", f"{child.spec.name} stopped unexpectedly (exit code {code}).")
        if child.tail:
            self.say("peerpath", f"Last lines from {child.spec.name}:")
            for line in child.tail:
                self.say(child.spec.name, line)

    # --- keeping them up ------------------------------------------------------------

    def watch(self) -> int:
        """Keep every child up until Ctrl-C/SIGTERM (0), or give up on one (1)."""
        while not self.stop_requested:
            self.pump(0.5)
            now = time.monotonic()
            for name in list(self.specs):
                self.beat()  # a health check may take seconds: beat between them
                if self._tend(name, now) == "gave up":
                    return 1
        return 0

    def _tend(self, name: str, now: float) -> str:
        record = self.records[name]
        child = self.children.get(name)
        if child is None:
            if record.state == "restarting" and now >= record.restart_at:
                self.start(name)
            return record.state
        if child.process.poll() is not None:
            return self._died(name, child, now)
        if not child.ready:
            if self.healthy(name):
                self.say(
                    "peerpath", f"{name} is ready again" if record.restarts else f"{name} is ready"
                )
                self._mark_ready(name)
            elif now - child.started_at > child.spec.start_timeout:
                self.say("peerpath", f"{name} did not become ready in time; restarting it")
                return self._kill_and_restart(name, child, now)
            return record.state
        if now >= record.next_check:
            record.next_check = now + self.policy.liveness_interval
            if self.healthy(name):
                record.health_failures = 0
            else:
                record.health_failures += 1
                if record.health_failures >= self.policy.liveness_failures:
                    self.say(
                        "peerpath", f"{name} stopped answering its health check; restarting it"
                    )
                    return self._kill_and_restart(name, child, now)
        return record.state

    def _kill_and_restart(self, name: str, child: Child, now: float) -> str:
        child.signal_group(signal.SIGKILL)
        child.process.wait()
        return self._died(name, child, now)

    def _died(self, name: str, child: Child, now: float) -> str:
        record = self.records[name]
        self.report_death(child)
        child.signal_group(signal.SIGKILL)  # what it left running in its group goes too
        self._forget_output(child)
        self.reaper.forget(child.process.pid)
        del self.children[name]
        record.last_exit = child.process.returncode
        fast = now - child.started_at < self.policy.fast_crash_seconds
        record.fast_crashes = record.fast_crashes + 1 if fast else 0
        if record.fast_crashes >= self.policy.max_fast_crashes:
            record.state = "failed"
            self.say(
                "peerpath",
                f"{name} crashed {record.fast_crashes} times in a row within "
                f"{self.policy.fast_crash_seconds:.0f} s of starting; giving up.",
            )
            self.write_status()
            return "gave up"
        record.restarts += 1
        delay = self.policy.delay(record.fast_crashes or 1)
        record.state, record.restart_at = "restarting", now + delay
        self.say("peerpath", f"restarting {name} in {delay:.0f} s (restart {record.restarts})")
        self.write_status()
        return record.state

    # --- status and shutdown -----------------------------------------------------

    def write_status(self) -> None:
        """processes.json: each child's state, for the gateway's /health."""
        self._next_beat = time.monotonic() + self.policy.heartbeat
        if self.status_file is None:
            return
        processes = {
            name: ProcessStatus(
                record.state,
                record.restarts,
                record.last_exit,
                self.children[name].process.pid if name in self.children else None,
            )
            for name, record in self.records.items()
        }
        write_status(
            self.status_file, Status(time.time(), self.policy.heartbeat, os.getpid(), processes)
        )

    def beat(self) -> None:
        """Rewrite the status file if nothing did for a heartbeat: readers see we are alive."""
        if time.monotonic() >= self._next_beat:
            self.write_status()

    def stop_all(self) -> None:
        """SIGTERM every child's group; SIGKILL what is left after a grace period."""
        running = [c for c in self.children.values() if c.process.poll() is None]
        for child in running:
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while any(c.process.poll() is None for c in running) and time.monotonic() < deadline:
            self.pump(0.2)
        for child in self.children.values():
            if child.process.poll() is None:
                self.say("peerpath", f"{child.spec.name} did not stop; killing it")
            child.signal_group(signal.SIGKILL)  # also reaps grandchildren left in the group
            child.process.wait()
        self.pump(0)
        self.selector.close()
        self._http.close()
        for child in self.children.values():
            self.reaper.forget(child.process.pid)
        if self._owns_reaper:
            self.reaper.close()
        for record in self.records.values():
            record.state = "stopped"
        self.write_status()


def supervise(
    specs: Sequence[ProcessSpec],
    ready_message: str,
    out: TextIO = sys.stdout,
    policy: RestartPolicy | None = None,
    status_file: Path | None = None,
    reaper: Reaper | None = None,
    log_format: str = "text",
) -> int:
    """Start every child at once, wait until all are healthy, then keep them up.

    Returns 0 after Ctrl-C/SIGTERM, 1 if a child never became ready or kept crashing,
    2 if a port a child needs is taken (nothing is started then).
    """
    taken = ports.check(specs, status_file, out)
    if taken:
        for busy in taken:
            out.write(f"peerpath | {busy.message()}\n")
        out.flush()
        return 2
    supervisor = Supervisor(specs, out, policy, status_file, reaper, log_format)

    def request_stop(signum: int, frame: object) -> None:
        supervisor.stop_requested = True

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    started = time.monotonic()
    try:
        for spec in specs:
            supervisor.start(spec.name)
        if not supervisor.wait_healthy([spec.name for spec in specs]):
            return _failed_start(supervisor)
        supervisor.say("peerpath", f"all healthy after {time.monotonic() - started:.0f} s")
        if log_format == "json":
            for line in ready_message.splitlines():
                supervisor.say("peerpath", line)
        else:
            out.write(ready_message + "\n")
            out.flush()
        return supervisor.watch()
    finally:
        supervisor.say("peerpath", "stopping")
        supervisor.stop_all()
        supervisor.say("peerpath", "stopped")
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _failed_start(supervisor: Supervisor) -> int:
    if supervisor.stop_requested:
        return 0
    child = supervisor.dead()
    if child is not None:
        supervisor.report_death(child)
    supervisor.say("peerpath", "Stopping the other processes.")
    return 1
