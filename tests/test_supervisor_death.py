"""When the supervisor dies: its children die with it, and the next start needs no one.

Real processes throughout: `supervise()` with the cheap children of
tests/test_supervisor.py in a process of its own (killed with SIGKILL), and
`python -m supervisor` as `make run` starts it, for the taken port and (slow)
for the whole stack.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest

from supervisor.orphans import Reaper, die_with_parent
from supervisor.process import ProcessSpec
from supervisor.status import ProcessStatus, Status, health_report, read_status, write_status
from tests.helpers.gateway import STAFF_ENV
from tests.helpers.net import free_port
from tests.test_supervisor import CHILD, all_gone, pids_in

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parent.parent

SUPERVISE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from supervisor.process import RestartPolicy, supervise
    from tests.test_supervisor_death import child_spec
    ports, status, heartbeat = json.loads(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
    specs = [child_spec(name, port) for name, port in ports.items()]
    sys.exit(supervise(specs, "READY", status_file=status,
                       policy=RestartPolicy(heartbeat=heartbeat)))
    """
)


def child_spec(name: str, port: int) -> ProcessSpec:
    """A cheap child on a given port: serves /, starts a grandchild, prints both pids."""
    return ProcessSpec(name, (sys.executable, "-c", CHILD, str(port), "0", "0"),
                       dict(os.environ), f"http://127.0.0.1:{port}/", 30, str(ROOT))  # fmt: skip


class Supervised:
    """`supervise()` over cheap children, in its own process and session."""

    def __init__(self, var: Path, ports: Mapping[str, int], heartbeat: float = 5.0) -> None:
        self.var, self.ports = var, ports
        self.status_file = var / "processes.json"
        self.log_path = var / f"supervisor-{time.monotonic_ns()}.log"
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SUPERVISE, str(ROOT), json.dumps(dict(ports)),
                 str(self.status_file), str(heartbeat)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while "READY" not in self.output().splitlines():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.1)

    def children_answer(self) -> bool:
        return all(
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
            for port in self.ports.values()
        )

    def reaper_pid(self) -> int:
        [pid] = [int(p) for p in subprocess.run(
            ["pgrep", "-P", str(self.process.pid), "-f", "supervisor.orphans"],
            capture_output=True, text=True, check=False).stdout.split()]  # fmt: skip
        return pid

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(30)
        return self.process.returncode


def test_a_killed_supervisor_takes_children_and_grandchildren_with_it(tmp_path: Path) -> None:
    ports = {"one": free_port(), "two": free_port()}
    first = Supervised(tmp_path, ports)
    first.wait_ready()
    pids = pids_in(first.output())
    assert len(pids) == 4, first.output()  # two children, a grandchild each
    reaper = first.reaper_pid()

    first.process.send_signal(signal.SIGKILL)
    first.process.wait()

    assert all_gone(pids, within=5.0), "every child and grandchild is gone"
    assert all_gone([reaper], within=5.0), "and the reaper, its work done"
    report = health_report(read_status(first.status_file), time.time())
    assert report is not None and report["supervisor"] == "unknown", "no stale states"

    second = Supervised(tmp_path, ports)  # same ports, same status file, nobody helped
    try:
        second.wait_ready()
        assert second.children_answer()
        assert "taken" not in second.output() and "earlier run" not in second.output()
        report = health_report(read_status(second.status_file), time.time())
        assert report is not None and report["supervisor"] == "ok"
        assert {p["state"] for p in report["processes"].values()} == {"ready"}
    finally:
        assert second.stop() == 0


def test_the_status_file_is_refreshed_while_nothing_changes(tmp_path: Path) -> None:
    supervised = Supervised(tmp_path, {"one": free_port()}, heartbeat=0.3)
    try:
        supervised.wait_ready()
        first = json.loads(supervised.status_file.read_text())["updated"]
        time.sleep(1.0)
        assert json.loads(supervised.status_file.read_text())["updated"] > first
        report = health_report(read_status(supervised.status_file), time.time())
        assert report is not None and report["processes"]["one"]["state"] == "ready"
    finally:
        assert supervised.stop() == 0


def test_the_reaper_kills_what_ignores_sigterm_after_its_grace() -> None:
    stubborn = (
        "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "g = subprocess.Popen([sys.executable, '-c', 'import signal, time;"
        " signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)']);"
        "print(g.pid, flush=True); time.sleep(600)"
    )
    leader = subprocess.Popen([sys.executable, "-c", stubborn], stdout=subprocess.PIPE,
                              text=True, start_new_session=True)  # fmt: skip
    assert leader.stdout is not None
    grandchild = int(leader.stdout.readline())
    reaper = Reaper(grace=1.0)
    reaper.watch(leader.pid)
    started = time.monotonic()
    reaper.close()  # what the kernel does to the pipe when the supervisor dies
    try:
        assert all_gone([leader.pid, grandchild], within=5.0)
        assert time.monotonic() - started >= 0.9, "SIGTERM first, SIGKILL only after the grace"
    finally:
        leader.kill()
        leader.wait()


def test_forgotten_groups_are_left_alone() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                               start_new_session=True)  # fmt: skip
    reaper = Reaper(grace=0.5)
    reaper.watch(sleeper.pid)
    reaper.forget(sleeper.pid)
    reaper.close()
    try:
        assert reaper.process.wait(5) == 0
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_the_parent_death_signal_is_set_only_from_the_main_thread() -> None:
    import threading

    found: list[object] = []
    worker = threading.Thread(target=lambda: found.append(die_with_parent()))
    worker.start()
    worker.join()
    assert found == [None], "a thread's end would otherwise kill the child"
    assert die_with_parent() is not None


def test_an_earlier_runs_leftover_is_stopped_and_the_start_goes_on(tmp_path: Path) -> None:
    port = free_port()
    leftover = subprocess.Popen(child_spec("one", port).argv, stdout=subprocess.DEVNULL,
                                start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while not _answers(port):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    gone = subprocess.Popen(["true"])
    gone.wait()  # a dead supervisor's pid
    earlier = {"one": ProcessStatus("ready", pid=leftover.pid)}
    write_status(tmp_path / "processes.json", Status(time.time() - 60, 5.0, gone.pid, earlier))

    supervised = Supervised(tmp_path, {"one": port})
    try:
        supervised.wait_ready()
        assert f"stopping what an earlier run left running: one (pid {leftover.pid})" in (
            supervised.output()
        )
        assert leftover.wait(5) is not None
    finally:
        assert supervised.stop() == 0
        if leftover.poll() is None:
            os.killpg(leftover.pid, signal.SIGKILL)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


# --- `make run`'s own command ------------------------------------------------------------


def run_env(var: Path, gateway_port: int, rasa_port: int, actions_port: int) -> dict[str, str]:
    return {
        **os.environ, "VAR_DIR": str(var), "GATEWAY_PORT": str(gateway_port),
        "RASA_PORT": str(rasa_port), "ACTION_SERVER_PORT": str(actions_port),
        "SESSION_SECRET": "supervisor-death", "HF_HUB_OFFLINE": "1", **STAFF_ENV,
        "INDEX_DIR": os.environ.get("INDEX_DIR", str(ROOT / "var" / "index")),  # what make built
    }  # fmt: skip


def test_a_taken_port_is_refused_at_once_naming_its_holder(tmp_path: Path) -> None:
    port = free_port()
    holder = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "supervisor"], cwd=ROOT, capture_output=True, text=True,
            env=run_env(tmp_path, port, free_port(), free_port()), timeout=60,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        holder.terminate()
        holder.wait()
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert took < 10, f"refused after {took:.1f} s"
    refusal = [line for line in out.splitlines() if f"Port {port}" in line]
    assert len(refusal) == 1, out
    assert "gateway" in refusal[0] and f"pid {holder.pid}" in refusal[0]
    assert "-m http.server" in refusal[0], "the holder's command is named"
    assert "started" not in out, "nothing was started"


class MakeRun:
    """`python -m supervisor` on given ports, as `make run` starts it."""

    def __init__(self, var: Path, ports: tuple[int, int, int], name: str) -> None:
        self.log_path = var / f"{name}.log"
        self.status_file = var / "processes.json"
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=10)
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "supervisor"], cwd=ROOT, env=run_env(var, *ports),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, within: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < within:
            assert self.process.poll() is None, self.output()[-3000:]
            try:
                if self.http.get("/health").status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"not healthy within {within} s:\n{self.output()[-3000:]}")

    def child_pids(self) -> list[int]:
        processes = json.loads(self.status_file.read_text())["processes"]
        return [int(p["pid"]) for p in processes.values()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.http.close()


@pytest.mark.slow
def test_make_run_after_a_killed_supervisor_is_healthy_with_no_manual_step(
    tmp_path: Path,
) -> None:
    ports = (free_port(), free_port(), free_port())
    first = MakeRun(tmp_path, ports, "first")
    try:
        first.wait_healthy(300)
        children = first.child_pids()
        assert len(children) == 3
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        killed = time.monotonic()
        assert all_gone(children, within=15.0), "Rasa, the action server and the gateway stop"
        stopped_in = time.monotonic() - killed
    finally:
        first.stop()
    second = MakeRun(tmp_path, ports, "second")
    try:
        took = second.wait_healthy(300)
        health = second.http.get("/health").json()
        assert health["supervisor"] == "ok"
        assert {p["state"] for p in health["processes"].values()} == {"ready"}
        print(f"children gone {stopped_in:.1f} s after the SIGKILL; healthy again in {took:.0f} s")
    finally:
        second.stop()
    assert second.process.returncode == 0
