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
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from peerpath.settings import PROJECT_ROOT
from supervisor.postgres_server import PostgresServer
from supervisor.redis_server import ping
from tests.helpers.net import free_port, free_run

pytestmark = pytest.mark.slow


@dataclass
class Cluster:
    front: str
    gateways: list[str]
    var: Path
    process: subprocess.Popen[bytes]
    log: Path
    postgres_port: int = 0
    redis_port: int = 0
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)  # restarted by tests

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
    front = free_run(3)  # the two gateways listen just above the front port
    postgres_port, redis_port = free_port(), free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "INDEX_DIR": str(PROJECT_ROOT / "var" / "index"),
        "SAFETY_MODEL_DIR": str(PROJECT_ROOT / "var" / "safety"),
        "GATEWAY_PORT": str(front),
        "CLUSTER_POSTGRES_PORT": str(postgres_port),
        "CLUSTER_REDIS_PORT": str(redis_port),
        "CLUSTER_RASA_PORT": str(free_run(2)),
        "CLUSTER_ACTIONS_PORT": str(free_run(2)),
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
        cluster = Cluster(base, gateways, var, process, log, postgres_port, redis_port)
        yield cluster
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        for extra in cluster.extra:
            extra.terminate()
            extra.wait(10)


def new_session(base: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/session", timeout=10)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['session']}"}


def say(base: str, auth: dict[str, str], text: str) -> dict[str, Any]:
    """One message, sent as the widget sends it: with an id of its own, and once more
    (same id, after a pause) when the reply was lost on the way. A gateway killed
    between haproxy's connect and its answer loses a reply haproxy can't retry (the
    request was sent); the gateway answers a repeated id once (bot/replays.py)."""
    body = {"text": text, "message_id": f"t-{uuid.uuid4().hex}"}
    for attempt in (1, 2):
        try:
            response = httpx.post(f"{base}/api/chat", json=body, headers=auth, timeout=60)
        except httpx.TransportError:
            response = None
        lost = response is None or (
            response.status_code in (502, 503, 504) and "messages" not in response.text
        )
        if not lost or attempt == 2:
            break
        time.sleep(0.8)
    assert response is not None and response.status_code == 200, response and (
        response.status_code,
        response.text[:300],
    )
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
        got = [m for m in history.json()["messages"] if "I'm a peer" in (m.get("text") or "")]
        if got:
            break
        time.sleep(0.5)
    else:
        pytest.fail("the person never got the peer's message")
    time.sleep(2)  # both gateways' outbox workers have had their turn
    history = httpx.get(f"{cluster.gateways[0]}/api/history", headers=auth, timeout=10)
    got = [m for m in history.json()["messages"] if "I'm a peer" in (m.get("text") or "")]
    assert len(got) == 1, "exactly once"


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
    try:
        for n in range(10):
            reply = say(cluster.front, auth, f"what is vocational peer support? ({n})")
            assert sources(reply)
        said = [m["text"] for m in httpx.get(f"{cluster.front}/api/history", headers=auth,
                                              timeout=30).json()["messages"]
                if m["from"] == "me"]  # fmt: skip
        assert sorted(said) == [f"what is vocational peer support? ({n})" for n in range(10)], (
            "every message answered, none twice"
        )
        crisis = say(cluster.front, auth, "i want to kill myself tonight")
        assert any("988" in (m.get("text") or "") for m in crisis["messages"])
    finally:  # the tests after this one need both gateways, whatever happened here
        deadline = time.monotonic() + 200
        while cluster.state("gateway-0")["state"] != "ready":
            assert time.monotonic() < deadline, "the supervisor brings the gateway back"
            time.sleep(2)


def test_redis_restarted_everything_recovers_by_itself(cluster: Cluster) -> None:
    # redis-server names itself by address in the process list
    [redis] = [p for p in psutil.process_iter(["cmdline"])
               if "redis-server" in " ".join(p.info["cmdline"] or [])
               and f":{cluster.redis_port}" in " ".join(p.info["cmdline"] or [])]  # fmt: skip
    config = cluster.var / "cluster" / "redis" / "redis.conf"
    redis.kill()
    while ping("127.0.0.1", cluster.redis_port):
        time.sleep(0.1)
    auth = new_session(cluster.front)
    # Rasa's lock store is Redis: without it Rasa can't take a turn, so people get the
    # calm message, never a 5xx, and a crisis reply still comes from the gateway
    calm = httpx.post(f"{cluster.front}/api/chat", json={"text": "what is peer support?"},
                      headers=auth, timeout=60)  # fmt: skip
    assert calm.status_code in (200, 503) and calm.json()["messages"], calm.text
    crisis = say(cluster.front, auth, "i want to kill myself tonight")
    assert any("988" in (m.get("text") or "") for m in crisis["messages"])
    cluster.extra.append(
        subprocess.Popen(["redis-server", str(config)], cwd=config.parent,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # Rasa's lock store and the gateways reconnect
        reply = httpx.post(f"{cluster.front}/api/chat", json={"text": "what do peers earn?"},
                           headers=auth, timeout=60)  # fmt: skip
        if reply.status_code == 200 and sources(reply.json()):
            break
        time.sleep(2)
    else:
        pytest.fail("the cluster never recovered from the Redis restart")
    for attempt in range(10):  # each gateway's client reconnects on its own, within seconds
        client = {"X-Forwarded-For": f"203.0.113.{100 + attempt}"}
        codes = [
            httpx.get(f"{cluster.gateways[n % 2]}/api/search", params={"q": "pay"},
                      headers=client, timeout=10).status_code
            for n in range(41)
        ]  # fmt: skip
        if codes == [200] * 40 + [429]:
            break
        time.sleep(3)
    else:
        pytest.fail(f"the shared limit never came back: {codes}")


def test_postgres_restarted_calm_meanwhile_and_nothing_lost(cluster: Cluster) -> None:
    auth = new_session(cluster.front)
    first = say(cluster.front, auth, "how much do peer specialists earn?")
    assert sources(first)
    server = PostgresServer(cluster.var / "cluster" / "postgres", cluster.postgres_port)
    server.stop()
    try:
        response = httpx.post(f"{cluster.front}/api/chat", json={"text": "tell me more"},
                              headers=auth, timeout=60)  # fmt: skip
        assert response.status_code in (200, 503), "a calm message, never a 5xx crash"
        body = response.json()
        assert body["messages"] and "Traceback" not in response.text
    finally:
        server.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # pools reconnect by themselves
        response = httpx.post(f"{cluster.front}/api/chat", json={"text": "hello"},
                              headers=auth, timeout=60)  # fmt: skip
        if response.status_code == 200 and response.json().get("status", "ok") == "ok":
            break
        time.sleep(2)
    else:
        pytest.fail("the cluster did not recover after PostgreSQL came back")
    history = httpx.get(f"{cluster.front}/api/history", headers=auth, timeout=10).json()
    said = [m.get("text") for m in history["messages"] if m.get("from") == "me"]
    assert "how much do peer specialists earn?" in said, "written before the outage: kept"
