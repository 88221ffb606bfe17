"""Runs PeerPath's three processes together: Rasa, the action server, the gateway.

Each child runs in its own process group with its output prefixed by its
name. Start-up waits for each health check; Ctrl-C (or SIGTERM) stops all
three; if one dies, the others are stopped and its last output is printed.
Single-threaded on purpose: a select loop pumps output and watches health.
"""

from __future__ import annotations

import collections
import contextlib
import os
import secrets
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

from bot.settings import Settings

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
            )
        finally:
            if log_path:
                out.close()  # type: ignore[union-attr]
        if self.process.stdout is not None:
            os.set_blocking(self.process.stdout.fileno(), False)
        self.partial = b""
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


class Supervisor:
    """Starts children, pumps their output, and stops them together."""

    def __init__(self, specs: Sequence[ProcessSpec], out: TextIO = sys.stdout) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.children: dict[str, Child] = {}
        self.out = out
        self.selector = selectors.DefaultSelector()
        self.stop_requested = False
        self.width = max(len(name) for name in self.specs)

    def say(self, name: str, line: str) -> None:
        self.out.write(f"{name:<{self.width}} | {line}\n")
        self.out.flush()

    def start(self, name: str, log_path: Path | None = None) -> Child:
        child = Child(self.specs[name], log_path)
        self.children[name] = child
        if child.process.stdout is not None:
            self.selector.register(child.process.stdout, selectors.EVENT_READ, child)
        self.say("peerpath", f"started {name} (pid {child.process.pid})")
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
        if child.process.stdout is not None:
            self.selector.unregister(child.process.stdout)
            child.process.stdout.close()

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

    def dead(self) -> Child | None:
        for child in self.children.values():
            if child.process.poll() is not None:
                return child
        return None

    def wait_healthy(self, names: Sequence[str]) -> bool:
        """Pump output until every named child answers its health check."""
        pending = {name: time.monotonic() + self.specs[name].start_timeout for name in names}
        with httpx.Client(timeout=2.0) as http:
            while pending and not self.stop_requested:
                self.pump(0.5)
                if self.dead() is not None:
                    return False
                for name, deadline in list(pending.items()):
                    try:
                        ok = http.get(self.specs[name].health_url).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    if ok:
                        self.say("peerpath", f"{name} is ready")
                        del pending[name]
                    elif time.monotonic() > deadline:
                        self.say("peerpath", f"{name} did not become ready in time")
                        return False
        return not pending

    def report_death(self, child: Child) -> None:
        self.pump(0.2)
        code = child.process.returncode
        self.say("peerpath", f"{child.spec.name} stopped unexpectedly (exit code {code}).")
        if child.tail:
            self.say("peerpath", f"Last lines from {child.spec.name}:")
            for line in child.tail:
                self.say(child.spec.name, line)
        self.say("peerpath", "Stopping the other processes.")

    def watch(self) -> int:
        """Block until Ctrl-C/SIGTERM (returns 0) or a child dies (returns 1)."""
        while not self.stop_requested:
            self.pump(0.5)
            child = self.dead()
            if child is not None:
                self.report_death(child)
                return 1
        return 0

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


def child_env(settings: Settings, environ: Mapping[str, str], rasa_token: str) -> dict[str, str]:
    """The environment every child gets: ours plus the derived URLs and paths."""
    env = dict(environ)
    env.update(
        PEERPATH_ROOT=str(settings.root),
        RASA_URL=settings.rasa_url,
        RASA_TOKEN=rasa_token,
        ACTION_SERVER_URL=settings.action_server_url,
        ACTION_SERVER_WEBHOOK=f"{settings.action_server_url}/webhook",
        RASA_TRACKER_DB=str(settings.rasa_tracker_db),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def build_specs(settings: Settings, environ: Mapping[str, str]) -> list[ProcessSpec]:
    """Rasa, the action server and the gateway, as configured by `settings`."""
    token = settings.rasa_token.reveal() or secrets.token_urlsafe(24)
    env = child_env(settings, environ, token)
    root = str(settings.root)
    rasa = (
        str(settings.rasa_bin), "run",
        "--enable-api", "--auth-token", token,
        "--interface", settings.rasa_host, "--port", str(settings.rasa_port),
        "--model", str(settings.rasa_model),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
    )  # fmt: skip
    # Rasa logs what people typed at DEBUG: never run it below INFO.
    rasa_env = {**env, "LOG_LEVEL": "INFO" if settings.log_level == "DEBUG" else settings.log_level}
    gateway_health = f"http://{settings.gateway_host}:{settings.gateway_port}/health"
    return [
        ProcessSpec("rasa", rasa, rasa_env, f"{settings.rasa_url}/", 300.0, root),
        ProcessSpec("actions", (sys.executable, "-m", "actions"), env,
                    f"{settings.action_server_url}/health", 300.0, root),
        ProcessSpec("gateway", (sys.executable, "-m", "bot", "serve"), env,
                    gateway_health, 180.0, root),
    ]  # fmt: skip


def banner(settings: Settings) -> str:
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    return "\n".join(
        [
            "",
            "PeerPath is running.",
            f"  Chat in the browser:  {base}/",
            f"  Chat API:             curl -s -X POST {base}/api/chat "
            '-H \'Content-Type: application/json\' -d \'{"session_id": "me", "text": "hello"}\'',
            f"  Health:               {base}/health",
            f"  Counselor lookup:     {base}/resources",
            f"  Staff console:        {base}/staff  (token: STAFF_TOKENS, or the file "
            f"{settings.var_dir / 'staff-token'})",
            "  Telegram:             "
            + (
                "on (" + ("webhook" if settings.telegram.webhook_url else "long polling") + ")"
                if settings.telegram.enabled
                else "off (set TELEGRAM_TOKEN to turn it on)"
            ),
            "Press Ctrl-C to stop all three processes.",
            "",
        ]
    )


def run_all(settings: Settings, environ: Mapping[str, str] = os.environ) -> int:
    """Start Rasa and the action server, then the gateway; supervise all three."""
    missing = [p for p in (settings.rasa_bin, settings.rasa_model) if not p.exists()]
    if missing:
        print(f"Missing {', '.join(map(str, missing))}: run `make run` to set up.", file=sys.stderr)
        return 2
    stages = (("rasa", "actions"), ("gateway",))
    return supervise(build_specs(settings, environ), stages, banner(settings))


def supervise(
    specs: Sequence[ProcessSpec],
    stages: Sequence[Sequence[str]],
    ready_message: str,
    out: TextIO = sys.stdout,
) -> int:
    """Start `stages` in order (each waits for health), then watch until stopped.

    Returns 0 after Ctrl-C/SIGTERM, 1 if a process died or never became ready.
    """
    supervisor = Supervisor(specs, out)

    def request_stop(signum: int, frame: object) -> None:
        supervisor.stop_requested = True

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for stage in stages:
            for name in stage:
                supervisor.start(name)
            if not supervisor.wait_healthy(stage):
                return _failed_start(supervisor)
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
    return 1
