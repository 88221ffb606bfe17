"""The process supervisor, with small real child processes."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from supervisor.process import ProcessSpec, RestartPolicy, Supervisor
from tests.helpers.net import free_port

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parent.parent

# A child that serves /health, starts a grandchild in its group, prints its pids,
# and optionally exits with a code after a delay.
CHILD = textwrap.dedent(
    """
    import http.server, os, subprocess, sys, threading, time
    port, exit_after, code = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print(f"pids {os.getpid()} {grandchild.pid}", flush=True)
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", port), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if exit_after > 0:
        time.sleep(exit_after)
        print("giving up now", flush=True)
        sys.exit(code)
    time.sleep(600)
    """
)


def spec(name: str, exit_after: float = 0, code: int = 0) -> ProcessSpec:
    port = free_port()
    return ProcessSpec(
        name=name,
        argv=(sys.executable, "-c", CHILD, str(port), str(exit_after), str(code)),
        env=dict(os.environ),
        health_url=f"http://127.0.0.1:{port}/",
        start_timeout=30,
        cwd=str(ROOT),
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def all_gone(pids: list[int], within: float = 5.0) -> bool:
    """SIGKILL is asynchronous: give the kernel a moment to finish them."""
    deadline = time.monotonic() + within
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def pids_in(output: str) -> list[int]:
    found = [
        int(p) for line in output.splitlines() if " pids " in f" {line}" for p in line.split()[-2:]
    ]
    return sorted(set(found))


FAST = RestartPolicy(first_delay=0.2, max_delay=0.5, fast_crash_seconds=30, max_fast_crashes=3,
                     liveness_interval=0.3, liveness_failures=3)  # fmt: skip


def watch_until(supervisor: Supervisor, done, within: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Run the supervisor's loop until `done()` or the time is up."""
    deadline = time.monotonic() + within
    while not done() and time.monotonic() < deadline:
        supervisor.pump(0.2)
        now = time.monotonic()
        for name in list(supervisor.specs):
            supervisor._tend(name, now)


def test_a_child_that_dies_is_restarted_and_the_others_keep_running(tmp_path: Path) -> None:
    out = io.StringIO()
    status = tmp_path / "processes.json"
    specs = [spec("steady"), spec("flaky", exit_after=1.0, code=3)]
    supervisor = Supervisor(specs, out=out, policy=replace(FAST, fast_crash_seconds=0.5),
                            status_file=status)  # fmt: skip
    supervisor.start("steady")
    supervisor.start("flaky")
    assert supervisor.wait_healthy(["steady", "flaky"])
    steady_pid = supervisor.children["steady"].process.pid
    watch_until(supervisor, lambda: supervisor.records["flaky"].restarts >= 2)
    try:
        text = out.getvalue()
        assert "flaky stopped unexpectedly (exit code 3)" in text
        assert "giving up now" in text, "its last lines are shown"
        assert "restarting flaky in" in text
        assert supervisor.records["flaky"].restarts >= 2
        assert supervisor.children["steady"].process.pid == steady_pid, "steady was never touched"
        assert json.loads(status.read_text())["processes"]["flaky"]["restarts"] >= 2
    finally:
        supervisor.stop_all()
    assert all_gone(pids_in(out.getvalue())), "no orphans, grandchildren included"


def test_repeated_fast_crashes_make_the_supervisor_give_up() -> None:
    out = io.StringIO()
    supervisor = Supervisor([spec("steady"), spec("doomed", exit_after=2.0, code=2)], out=out,
                            policy=FAST)  # fmt: skip
    supervisor.start("steady")
    supervisor.start("doomed")
    assert supervisor.wait_healthy(["steady", "doomed"])
    assert supervisor.watch() == 1
    supervisor.stop_all()
    text = out.getvalue()
    assert "doomed crashed 3 times in a row" in text and "giving up" in text
    assert supervisor.records["doomed"].state == "stopped"
    assert all_gone(pids_in(text))


def test_a_child_that_stops_answering_is_restarted() -> None:
    out = io.StringIO()
    supervisor = Supervisor([spec("stuck")], out=out, policy=FAST)
    supervisor.start("stuck")
    assert supervisor.wait_healthy(["stuck"])
    first = supervisor.children["stuck"].process.pid
    os.kill(first, signal.SIGSTOP)  # alive, but not answering its health check
    try:
        watch_until(supervisor, lambda: supervisor.records["stuck"].state == "ready"
                    and supervisor.children["stuck"].process.pid != first)  # fmt: skip
        assert "stuck stopped answering its health check; restarting it" in out.getvalue()
        assert supervisor.children["stuck"].process.pid != first
    finally:
        supervisor.stop_all()
    assert all_gone(pids_in(out.getvalue()))


def test_sigint_stops_everything_cleanly(tmp_path: Path) -> None:
    script = tmp_path / "supervise.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            sys.path.insert(0, {str(ROOT / "tests")!r})
            from test_supervisor import spec
            from supervisor.process import supervise
            sys.exit(supervise([spec("one"), spec("two")], "READY"))
            """
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if line.strip() == "READY":
            break
    assert "READY\n" in lines, "".join(lines)
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    text = "".join(lines) + rest
    assert proc.returncode == 0
    assert "stopped" in rest
    pids = pids_in(text)
    assert len(pids) == 4
    assert all_gone(pids)


def test_a_child_that_never_gets_healthy_is_reported() -> None:
    out = io.StringIO()
    broken = ProcessSpec(
        "broken",
        (sys.executable, "-c", "import sys; print('cannot load model'); sys.exit(2)"),
        dict(os.environ),
        f"http://127.0.0.1:{free_port()}/",
        30,
        str(ROOT),
    )
    supervisor = Supervisor([broken], out=out)
    supervisor.start("broken")
    assert not supervisor.wait_healthy(["broken"])
    dead = supervisor.dead()
    assert dead is not None
    supervisor.report_death(dead)
    supervisor.stop_all()
    assert "broken stopped unexpectedly (exit code 2)" in out.getvalue()
    assert "cannot load model" in out.getvalue()


def test_with_json_logs_every_line_is_an_object_naming_its_process() -> None:
    """LOG_FORMAT=json: a child's lines and the supervisor's own, one JSON object each."""
    out = io.StringIO()
    flaky = spec("flaky", exit_after=0.5, code=3)
    supervisor = Supervisor([flaky], out=out, policy=replace(FAST, fast_crash_seconds=0.2),
                            log_format="json")  # fmt: skip
    supervisor.start("flaky")
    assert supervisor.wait_healthy(["flaky"])
    watch_until(supervisor, lambda: supervisor.records["flaky"].restarts >= 1)
    supervisor.stop_all()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines and all(isinstance(line, dict) and line["process"] for line in lines)
    said = {(line["process"], line["message"]) for line in lines}
    assert ("flaky", "giving up now") in said, "the child's own line"
    assert any("stopped unexpectedly (exit code 3)" in message for _, message in said)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, "1"), ({"OPENBLAS_NUM_THREADS": "4"}, "4")],
)
def test_children_get_one_blas_thread_unless_the_deployer_says_otherwise(
    environ: dict[str, str], expected: str
) -> None:
    from peerpath.settings import Settings
    from supervisor.specs import BLAS_THREADS, child_env

    env = child_env(Settings.from_env({}), environ, "token")
    assert env["OPENBLAS_NUM_THREADS"] == expected
    assert all(env[key] for key in BLAS_THREADS)
