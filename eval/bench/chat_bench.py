"""`make bench-chat`: PeerPath under load, measured with Locust, side by side in one run.

For each tree measured (this one, and with --before REV a git revision built
beside it), the whole stack is started as `make run` starts it (the
supervisor), on free ports and a fresh VAR_DIR, and the run prints:

- start to healthy: from starting the supervisor to all three processes healthy;
- one conversation at a time, sequential: /api/chat p50 and p95;
- 20 concurrent Locust users holding real multi-turn conversations (questions,
  a follow-up, "tell me more", buttons, the benefits check with a side question)
  through /api/chat for a fixed time after a warm-up: messages/s, p50/p95/p99,
  errors; then the same load straight to Rasa's REST channel;
- the resident memory (RSS) of every process after the load.

With --cluster, the cluster profile (`make run-cluster`: PostgreSQL, Redis, two
Rasa replicas with their action servers, two gateways behind haproxy) is
measured too, with the same load through haproxy; "Rasa alone" is then one
replica, and RSS counts PostgreSQL, Redis and haproxy as well.

Targets (issue #15): >= 20 msg/s with p95 <= 1.5 s and 0 errors; sequential
p50 <= 120 ms; all processes <= 2.0 GB; start to healthy <= 60 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from tests.helpers.net import free_port, free_run

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
RASA_INPUTS = ("config.yml", "domain.yml", "data", "rasa_addons")


@dataclass
class Stack:
    """One tree's stack under the supervisor."""

    tree: Path
    var: Path
    cluster: bool = False
    env: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)  # settings for this run only
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0

    def start(self) -> None:
        self.gateway = f"http://127.0.0.1:{free_port()}"
        rasa_port = free_port()
        self.rasa = f"http://127.0.0.1:{rasa_port}"
        self.env = {
            **os.environ,
            "VAR_DIR": str(self.var),
            "GATEWAY_PORT": self.gateway.rsplit(":", 1)[1],
            "RASA_PORT": str(rasa_port),
            "ACTION_SERVER_PORT": str(free_port()),
            "INDEX_DIR": str(self.tree / "var" / "index"),
            "SAFETY_MODEL_DIR": str(self.tree / "var" / "safety"),
            "RATE_LIMIT_PER_MINUTE": "10000",
            "RATE_LIMIT_PER_ADDRESS": "100000",
            "SESSIONS_PER_ADDRESS": "100000",
            "PYTHONPATH": str(self.tree),
        }
        self.env.update(self.overrides)
        if self.cluster:
            front = free_run(3)
            rasa_port, actions_port = free_run(2), free_run(2)
            self.gateway = f"http://127.0.0.1:{front}"
            self.rasa = f"http://127.0.0.1:{rasa_port}"
            self.env.update(
                GATEWAY_PORT=str(front),
                CLUSTER_RASA_PORT=str(rasa_port),
                CLUSTER_ACTIONS_PORT=str(actions_port),
                CLUSTER_POSTGRES_PORT=str(free_port()),
                CLUSTER_REDIS_PORT=str(free_port()),
            )
        self.log = (self.var / "supervisor.log").open("wb")
        started = time.monotonic()
        # a tree from before the supervisor had its own package runs `python -m bot run`
        command = (
            ["-m", "supervisor"] if (self.tree / "supervisor").is_dir() else ["-m", "bot", "run"]
        )
        if self.cluster:
            command = ["-m", "supervisor.cluster"]
        self.process = subprocess.Popen(
            [sys.executable, *command], cwd=self.tree, env=self.env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        with httpx.Client(timeout=5) as http:
            while time.monotonic() - started < 600:
                if self.process.poll() is not None:
                    raise RuntimeError((self.var / "supervisor.log").read_text()[-3000:])
                try:
                    health = http.get(f"{self.gateway}/health")
                    replicas = health.json().get("replicas", [])
                    every_replica = all(
                        r == {"rasa": "ok", "action_server": "ok"} for r in replicas
                    )
                    if health.status_code == 200 and (not self.cluster or every_replica):
                        break
                except (httpx.HTTPError, ValueError):  # not up yet (haproxy's own 503 page)
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError("the stack did not become healthy in 10 minutes")
        self.started_in = time.monotonic() - started

    def rss_mb(self) -> dict[str, float]:
        """Resident memory of each supervised process, with whatever it started."""
        assert self.process is not None
        out = {}
        for child in psutil.Process(self.process.pid).children():
            command = " ".join(child.cmdline())
            name = next(
                (n for n, mark in (("rasa", "rasa"), ("actions", "-m actions"),
                                   ("haproxy", "haproxy"), ("redis", "redis-server"),
                                   ("gateway", " "))
                 if mark in command), "other",
            )  # fmt: skip
            members = [child, *child.children(recursive=True)]
            out[name] = out.get(name, 0.0) + sum(p.memory_info().rss for p in members) / 2**20
        # PostgreSQL runs detached (pg_ctl): its processes are found by their data directory
        for proc in psutil.process_iter(["cmdline"]):
            command = " ".join(proc.info["cmdline"] or [])
            if "postgres" in command and str(self.var) in command:
                members = [proc, *proc.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in members) / 2**20
                out["postgres"] = out.get("postgres", 0.0) + rss
        return out

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def locust_argv(host: str, users: int, seconds: int, prefix: Path) -> list[str]:
    """Locust, headless, with the bench's users; its statistics in `prefix`_stats.csv."""
    return [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
            "-r", str(users), "-t", f"{seconds}s", "--host", host, "--csv", str(prefix),
            "--only-summary", "--loglevel", "WARNING"]  # fmt: skip


def main_row(prefix: Path, target: str) -> dict[str, str]:
    """The statistics of the run's main request: /api/chat, or Rasa's REST channel."""
    name = "/api/chat" if target == "gateway" else "rasa /webhooks/rest/webhook"
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return next(r for r in csv.DictReader(handle) if r["Name"] == name)


def locust(host: str, target: str, users: int, seconds: int, out: Path) -> dict[str, Any]:
    """Run Locust headless; the stats of its main request row."""
    prefix = out / f"{target}-{users}"
    subprocess.run(
        locust_argv(host, users, seconds, prefix),
        env={**os.environ, "BENCH_TARGET": target}, check=False, capture_output=True,
    )  # fmt: skip
    row = main_row(prefix, target)
    count, failures = int(row["Request Count"]), int(row["Failure Count"])
    return {
        "messages": count,
        "errors": failures,
        "msg_per_s": round(count / seconds, 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def measure(
    tree: Path, seconds: int, users: int, warmup: int = 20, cluster: bool = False
) -> dict[str, Any]:
    # under /tmp, readable: the cluster's PostgreSQL runs as the `postgres` user
    with tempfile.TemporaryDirectory(prefix="peerpath-bench-", dir="/tmp") as tmp:
        Path(tmp).chmod(0o755)
        var, out = Path(tmp) / "var", Path(tmp) / "out"
        var.mkdir()
        var.chmod(0o755)
        out.mkdir()
        stack = Stack(tree, var, cluster=cluster)
        try:
            stack.start()
            print(f"  {tree.name}: healthy after {stack.started_in:.0f} s", flush=True)
            locust(stack.gateway, "gateway", users, warmup, out)  # warm-up, not counted
            sequential = locust(stack.gateway, "gateway", 1, max(warmup, seconds // 2), out)
            gateway = locust(stack.gateway, "gateway", users, seconds, out)
            rasa = locust(stack.rasa, "rasa", users, seconds, out)
            rss = stack.rss_mb()
        finally:
            stack.stop()
    return {
        "start_to_healthy_s": round(stack.started_in, 1),
        "sequential": sequential,
        "gateway": gateway,
        "rasa_alone": rasa,
        "rss_mb": {k: round(v) for k, v in rss.items()},
        "rss_total_mb": round(sum(rss.values())),
    }


def worktree(rev: str) -> Path:
    """A checkout of `rev` beside this tree, sharing its venvs; its model and index built."""
    path = Path(tempfile.gettempdir()) / f"peerpath-before-{rev[:10]}"
    if not path.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True)
    for venv in (".venv", ".venv-rasa"):
        if not (path / venv).exists():
            (path / venv).symlink_to(ROOT / venv)
    model = path / "models" / "peerpath.tar.gz"
    same_inputs = not subprocess.run(
        ["git", "diff", "--quiet", rev, "HEAD", "--", *RASA_INPUTS], cwd=ROOT
    ).returncode
    if not model.exists() and same_inputs and (ROOT / "models" / "peerpath.tar.gz").exists():
        model.parent.mkdir(exist_ok=True)
        shutil.copy2(ROOT / "models" / "peerpath.tar.gz", model)
    subprocess.run(["make", "setup"], cwd=path, check=True)
    return path


def table(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    lines = ["| figure | " + " | ".join(names) + " | target |", "|---|" + "---|" * (len(names) + 1)]

    def row(label: str, value: Any, target: str) -> None:
        lines.append(
            f"| {label} | " + " | ".join(value(results[n]) for n in names) + f" | {target} |"
        )

    def load(key: str):  # type: ignore[no-untyped-def]
        return lambda r: (f"{r[key]['msg_per_s']} msg/s, p50 {r[key]['p50_ms']:.0f} ms, "
                          f"p95 {r[key]['p95_ms']:.0f} ms, p99 {r[key]['p99_ms']:.0f} ms, "
                          f"{r[key]['errors']} errors")  # fmt: skip

    row("20 users via /api/chat", load("gateway"), ">= 20 msg/s, p95 <= 1500 ms, 0 errors")
    row("20 users straight to Rasa's REST channel", load("rasa_alone"), "")
    row("one conversation, sequential", lambda r: f"p50 {r['sequential']['p50_ms']:.0f} ms, "
        f"p95 {r['sequential']['p95_ms']:.0f} ms", "p50 <= 120 ms")  # fmt: skip
    row("RSS, all processes", lambda r: f"{r['rss_total_mb']:,} MB ("
        + ", ".join(f"{k} {v:,}" for k, v in r["rss_mb"].items()) + ")", "<= 2,000 MB")  # fmt: skip
    row("start to healthy", lambda r: f"{r['start_to_healthy_s']:.0f} s", "<= 60 s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="length of each measured run")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--before", help="also measure this git revision, in the same run")
    parser.add_argument("--cluster", action="store_true", help="also measure make run-cluster")
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GB")
    trees = {}
    if args.before:
        trees[f"before ({args.before[:10]})"] = worktree(args.before)
    trees["now"] = ROOT
    results = {name: measure(tree, args.seconds, args.users) for name, tree in trees.items()}
    if args.cluster:
        results["cluster"] = measure(ROOT, args.seconds, args.users, cluster=True)
    print(table(results))
    out = ROOT / "results" / "bench-chat.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
