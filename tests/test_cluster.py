"""`make run-cluster` for real: PostgreSQL, Redis, two Rasa replicas with their action
servers, two gateways behind haproxy, started by `python -m supervisor.cluster` on free
loopback ports, then attacked: a replica and a gateway killed, one person served by both
gateways, a hand-off opened on one gateway and answered on the other.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from peerpath.settings import PROJECT_ROOT
from tests.helpers.net import free_port

pytestmark = pytest.mark.slow


def free_pair() -> int:
    """A port p with p and p + 1 free (two replicas side by side)."""
    for _ in range(50):
        port = free_port()
        try:
            import socket

            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two free ports side by side")


@dataclass
class Cluster:
    front: str
    gateways: list[str]
    var: Path
    process: subprocess.Popen[bytes]
    log: Path

    def pids(self) -> dict[str, int]:
        data = json.loads((self.var / "cluster" / "processes.json").read_text())
        return {name: int(p["pid"]) for name, p in data["processes"].items() if p.get("pid")}

    def state(self, name: str) -> dict[str, Any]:
        return json.loads((self.var / "cluster" / "processes.json").read_text())["processes"][name]

    def staff_token(self) -> str:
        return (self.var / "cluster" / "staff-token").read_text().strip()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not (PROJECT_ROOT / "models" / "peerpath.tar.gz").exists():
        pytest.fail("models/peerpath.tar.gz is missing: run `make test`, which trains it")
    # under /tmp: PostgreSQL runs as the `postgres` user, who must reach its directory
    var = Path(tempfile.mkdtemp(prefix="peerpath-cluster-"))
    var.chmod(0o755)
    front = free_pair()
    while True:  # the two gateways listen just above the front port
        if front + 2 != free_port():
            try:
                import socket

                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", front + 2))
                break
            except OSError:
                front = free_pair()
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "INDEX_DIR": str(PROJECT_ROOT / "var" / "index"),
        "SAFETY_MODEL_DIR": str(PROJECT_ROOT / "var" / "safety"),
        "GATEWAY_PORT": str(front),
        "CLUSTER_POSTGRES_PORT": str(free_port()),
        "CLUSTER_REDIS_PORT": str(free_port()),
        "CLUSTER_RASA_PORT": str(free_pair()),
        "CLUSTER_ACTIONS_PORT": str(free_pair()),
        "RATE_LIMIT_PER_ADDRESS": "40",
        "LOG_LEVEL": "INFO",
    }
    log = var / "cluster.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.cluster"], cwd=PROJECT_ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{front}"
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the cluster stopped:\n" + log.read_text(errors="replace")[-4000:])
        try:
            health = httpx.get(f"{base}/health", timeout=3).json()
            if (
                health.get("status") == "ok"
                and all(
                    r == {"rasa": "ok", "action_server": "ok"} for r in health.get("replicas", [])
                )
                and len(health.get("replicas", [])) == 2
            ):
                break
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    else:
        process.send_signal(signal.SIGINT)
        pytest.fail("the cluster did not become healthy:\n" + log.read_text()[-4000:])
    gateways = [f"http://127.0.0.1:{front + 1}", f"http://127.0.0.1:{front + 2}"]
    try:
        yield Cluster(base, gateways, var, process, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def new_session(base: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/session", timeout=10)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['session']}"}


def say(base: str, auth: dict[str, str], text: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/api/chat", json={"text": text}, headers=auth, timeout=60)
    assert response.status_code == 200, (response.status_code, response.text[:300])
    return response.json()


def sources(reply: dict[str, Any]) -> list[str]:
    return [s["chunk_id"] for m in reply["messages"] for s in m.get("sources", [])]


def test_every_gateway_is_ready_with_its_shared_stores(cluster: Cluster) -> None:
    for gateway in cluster.gateways:
        assert httpx.get(f"{gateway}/health/ready", timeout=10).json() == {
            "status": "ok",
            "redis": "ok",
        }


def test_one_person_served_by_either_gateway(cluster: Cluster) -> None:
    auth = new_session(cluster.gateways[0])
    first = say(cluster.gateways[0], auth, "how long does peer specialist training take?")
    shown = sources(first)
    assert shown, "answered with a source"
    more = say(cluster.gateways[1], auth, "/tell_me_more")  # the other gateway goes on
    assert sources(more) and sources(more)[0] != shown[0]
    history = httpx.get(f"{cluster.gateways[1]}/api/history", headers=auth, timeout=10).json()
    said = [item.get("text") for item in history["messages"] if item.get("from") == "me"]
    assert "how long does peer specialist training take?" in said


def test_rate_limits_hold_across_gateways(cluster: Cluster) -> None:
    client = {"X-Forwarded-For": "203.0.113.77"}  # one client, as haproxy forwards it
    codes = [
        httpx.get(f"{cluster.gateways[n % 2]}/api/search", params={"q": "wages"},
                  headers=client, timeout=10).status_code
        for n in range(41)
    ]  # fmt: skip
    assert codes[:40] == [200] * 40
    assert codes[40] == 429, "the 41st request is refused, whichever gateway it reaches"


def test_a_hand_off_opened_on_one_gateway_is_answered_from_the_other(cluster: Cluster) -> None:
    auth = new_session(cluster.gateways[0])
    offer = say(cluster.gateways[0], auth, "can i talk to a real person please")
    assert "not a counselor or clinician" in json.dumps(offer)
    topic = say(cluster.gateways[1], auth, "yes")  # the form goes on, on the other gateway
    assert "What would you like to talk about?" in json.dumps(topic)
    say(cluster.gateways[0], auth, '/inform{"handoff_topic": "benefits"}')
    staff = {"Authorization": f"Bearer {cluster.staff_token()}"}
    tickets = httpx.get(f"{cluster.gateways[1]}/api/staff/tickets", headers=staff, timeout=10)
    assert tickets.status_code == 200, tickets.text
    waiting = [t for t in tickets.json()["tickets"] if t["state"] == "waiting"]
    assert waiting, "the ticket is in the shared store"
    ticket = waiting[0]["id"]
    claim = httpx.post(f"{cluster.gateways[1]}/api/staff/tickets/{ticket}/claim",
                       headers=staff, timeout=10)  # fmt: skip
    assert claim.status_code == 200, claim.text
    reply = httpx.post(
        f"{cluster.gateways[1]}/api/staff/tickets/{ticket}/messages",
        json={"text": "Hi, I'm a peer. How can I help?"}, headers=staff, timeout=10,
    )  # fmt: skip
    assert reply.status_code in (200, 201), reply.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        history = httpx.get(f"{cluster.gateways[0]}/api/history", headers=auth, timeout=10)
        if any("I'm a peer" in (m.get("text") or "") for m in history.json()["messages"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the person never got the peer's message")


def test_a_killed_rasa_replica_loses_no_conversation(cluster: Cluster) -> None:
    os.kill(cluster.pids()["rasa-0"], signal.SIGKILL)
    sessions = [new_session(cluster.front) for _ in range(12)]
    for auth in sessions:  # about half of them hash to the killed replica
        reply = say(cluster.front, auth, "what do peer specialists earn?")
        assert reply.get("status", "ok") == "ok" and sources(reply), reply
    deadline = time.monotonic() + 300
    while cluster.state("rasa-0")["state"] != "ready":
        assert time.monotonic() < deadline, "the supervisor brings the replica back"
        time.sleep(2)
    assert cluster.state("rasa-0")["restarts"] >= 1


def test_a_killed_gateway_is_not_an_outage(cluster: Cluster) -> None:
    auth = new_session(cluster.front)
    os.kill(cluster.pids()["gateway-0"], signal.SIGKILL)
    for _ in range(10):
        reply = say(cluster.front, auth, "what is vocational peer support?")
        assert sources(reply)
    crisis = say(cluster.front, auth, "i want to kill myself tonight")
    assert any("988" in (m.get("text") or "") for m in crisis["messages"])
