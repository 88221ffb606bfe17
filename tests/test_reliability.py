"""Reliability and privacy over the real stack: what an SRE and a hostile tester tried.

- each process killed mid-conversation comes back by itself, and crisis
  replies and hand-offs keep working while Rasa is down;
- with Rasa stalled, crisis replies don't wait and a hand-off waits one short
  timeout at most;
- no message text in any log line of any process, on every path: ordinary
  messages, "/" messages, a Rasa timeout, crisis, hand-off;
- /forget leaves no text readable in any database file;
- one client can't read or erase another's conversation.

Measured figures are written to results/reliability.json (the README quotes them).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.settings import PROJECT_ROOT, Settings
from tests.helpers.gateway import STAFF_ENV, handoff_env, say, session, session_key, texts
from tests.helpers.net import free_port
from tests.helpers.stack import Stack

pytestmark = pytest.mark.slow

SENTINEL = "ZQX-sentinel-4f7a9c"
RESULTS = PROJECT_ROOT / "results" / "reliability.json"


def record(**figures: Any) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(figures)
    RESULTS.write_text(json.dumps(data, indent=2))


@contextmanager
def stalled(stack: Stack, name: str) -> Iterator[None]:
    """The process hangs (SIGSTOP): it still accepts connections but never answers."""
    group = stack.supervisor.children[name].process.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def settings_for(stack: Stack, tmp_path: Path, **extra: str) -> Settings:
    env = handoff_env(stack, tmp_path / "var", **extra)
    return Settings.from_env({**stack.env, **STAFF_ENV, **env})


@pytest.fixture
def gateway(stack: Stack, knowledge_index, safety_net, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings_for(stack, tmp_path), index=knowledge_index, safety=safety_net)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_with_rasa_stalled_crisis_replies_dont_wait_and_a_handoff_waits_one_timeout(
    stack: Stack, gateway: TestClient
) -> None:
    say(gateway, "stall-warmup", "hello")  # Rasa has answered this gateway once
    crisis_ms, handoff_ms = [], []
    with stalled(stack, "rasa"):
        for n in range(20):
            started = time.perf_counter()
            reply = say(gateway, f"stall-crisis-{n}", "i want to end my life tonight")
            crisis_ms.append((time.perf_counter() - started) * 1000)
            assert reply["messages"][0]["kind"] == "crisis"
        for n in range(3):
            started = time.perf_counter()
            reply = say(gateway, f"stall-human-{n}", "can i talk to a real person please")
            handoff_ms.append((time.perf_counter() - started) * 1000)
            assert reply["handoff"]["state"] == "waiting"
    crisis_ms.sort()
    p99 = crisis_ms[min(len(crisis_ms) - 1, round(0.99 * len(crisis_ms)))]
    record(rasa_stalled_crisis_ms={"p50": round(statistics.median(crisis_ms)), "p99": round(p99)},
           rasa_stalled_handoff_ms={"max": round(max(handoff_ms))})  # fmt: skip
    assert p99 <= 300
    assert max(handoff_ms) <= 3500, "one short timeout (3 s) at most"


def test_no_message_text_in_any_log_of_any_process(
    stack: Stack, knowledge_index, safety_net, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = settings_for(stack, tmp_path)
    with TestClient(create_app(settings, index=knowledge_index, safety=safety_net)) as client:
        say(client, "log-1", f"hello {SENTINEL}")
        say(client, "log-1", f"my name is {SENTINEL} and what can you do")
        say(client, "log-1", f"/{SENTINEL}")  # a "/" message: the gateway keeps it from Rasa
        say(client, "log-1", f'/inform{{"us_state": "{SENTINEL}"')
        say(client, "log-2", f"i want to kill myself {SENTINEL}")  # crisis: Rasa told later
        time.sleep(1.0)
        # a "/" message straight to Rasa: its own argument-parse warning must not echo it
        direct = {"sender": "log-direct", "message": f'/inform{{"x": "{SENTINEL}'}
        httpx.post(f"{stack.settings.rasa_url}/webhooks/rest/webhook", json=direct, timeout=30)
        # a hand-off: the person's words go to the peer team, never to a log line
        say(client, "log-4", "can i talk to a real person please")
        say(client, "log-4", "yes")
        say(client, "log-4", '/inform{"handoff_topic": "benefits"}')
        say(client, "log-4", f"my ssdi letter says {SENTINEL}")
    # the gateway gives up on a slow Rasa: Rasa's timeout error must not carry the text
    impatient = settings_for(stack, tmp_path, RASA_TIMEOUT="1")
    with TestClient(create_app(impatient, index=knowledge_index, safety=safety_net)) as client:
        with stalled(stack, "actions"):
            gave_up = client.post("/api/chat", json={"text": f"what do peers earn {SENTINEL}"},
                                  headers=session(client, "log-3"))  # fmt: skip
            # one conversation's timeout is its own: "one moment" (busy), not an outage
            assert gave_up.json().get("status") in ("busy", "unavailable"), gave_up.text
        time.sleep(1.5)
    assert "rest.message.received.timeout" in stack.logs("rasa")
    assert caplog.records, "the gateway logged something"
    for rec in caplog.records:
        assert SENTINEL not in rec.getMessage(), rec.name
        assert SENTINEL not in str(rec.args)
        assert SENTINEL not in (rec.exc_text or "")
    for name in ("rasa", "actions"):
        log = stack.logs(name)
        assert SENTINEL not in log, f"{name} logged a user's message"
    assert "message withheld" in stack.logs("rasa"), "Rasa's warning was there, without the text"


def test_forget_leaves_no_text_in_any_database_file(
    stack: Stack, knowledge_index, safety_net, tmp_path: Path
) -> None:
    marker = f"forget-{SENTINEL}-{time.time_ns()}"
    settings = settings_for(stack, tmp_path)
    with TestClient(create_app(settings, index=knowledge_index, safety=safety_net)) as client:
        say(client, "forget-db", f"what do peers earn {marker}")
        say(client, "forget-db", "can i talk to a real person please")
        say(client, "forget-db", "yes")
        say(client, "forget-db", '/inform{"handoff_topic": "benefits"}')
        say(client, "forget-db", f"private words {marker}")
        deleted = client.post("/api/forget", json={}, headers=session(client, "forget-db"))
        assert deleted.json()["deleted"]["tickets"] == 1
    files = [p for p in (tmp_path / "var").rglob("*") if p.is_file()]
    files += list(
        stack.settings.rasa_tracker_db.parent.glob(stack.settings.rasa_tracker_db.name + "*")
    )
    assert any(p.name.startswith("handoff.db") for p in files)
    readable = [str(p) for p in files if marker.encode() in p.read_bytes()]
    assert readable == []


def test_one_client_cant_read_or_erase_anothers_conversation(gateway: TestClient) -> None:
    say(gateway, "owner", "what do peer specialists earn")
    mine = gateway.get("/api/history", headers=session(gateway, "owner")).json()
    assert any("earn" in m.get("text", "") for m in mine["messages"])
    theirs = gateway.get("/api/history", headers=session(gateway, "stranger")).json()
    assert theirs["messages"] == []
    owner_id = session_key(gateway, "owner")
    for guess in (owner_id, f"{owner_id}.{'A' * 32}", "me"):
        forged = {"Authorization": f"Bearer {guess}"}
        assert gateway.get("/api/history", headers=forged).status_code == 401
        assert gateway.post("/api/forget", json={}, headers=forged).status_code == 401
    assert gateway.get("/api/staff/tickets").status_code == 401
    after = gateway.get("/api/history", headers=session(gateway, "owner")).json()
    assert after["messages"] == mine["messages"]


# --- the whole supervised stack, each process killed in turn ---------------------------


class Running:
    """`python -m supervisor` on free ports, as `make run` starts it."""

    def __init__(self, var: Path) -> None:
        self.port = free_port()
        self.var = var
        self.env = {
            **os.environ, "VAR_DIR": str(var), "GATEWAY_PORT": str(self.port),
            "RASA_PORT": str(free_port()), "ACTION_SERVER_PORT": str(free_port()),
            "SESSION_SECRET": "reliability", "HANDOFF_HOURS": "always", **STAFF_ENV,
            "INDEX_DIR": str(PROJECT_ROOT / "var" / "index"),
        }  # fmt: skip
        self.log = (var / "supervisor.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "supervisor"], cwd=PROJECT_ROOT, env=self.env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)
        self.tokens: dict[str, str] = {}

    def output(self) -> str:
        return (self.var / "supervisor.log").read_text(errors="replace")

    def wait_until(self, ok: Any, within: float, what: str) -> float:
        started = time.monotonic()
        while time.monotonic() - started < within:
            try:
                if ok():
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, self.output()[-3000:]
            time.sleep(0.25)
        raise AssertionError(f"{what} not within {within} s:\n{self.output()[-3000:]}")

    def healthy(self) -> bool:
        try:
            return self.http.get("/health").status_code == 200
        except httpx.HTTPError:
            return False

    def pid(self, name: str) -> int:
        status = json.loads((self.var / "processes.json").read_text())
        return int(status["processes"][name]["pid"])

    def say(self, who: str, text: str) -> dict[str, Any]:
        if who not in self.tokens:
            self.tokens[who] = self.http.post("/api/session").json()["session"]
        bearer = {"Authorization": f"Bearer {self.tokens[who]}"}
        response = self.http.post("/api/chat", json={"text": text}, headers=bearer)
        assert response.status_code in (200, 503), response.text
        return response.json()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.http.close()
        self.log.close()


def test_each_process_killed_mid_conversation_comes_back_by_itself(tmp_path: Path) -> None:
    stack = Running(tmp_path)
    try:
        started = stack.wait_until(stack.healthy, 300, "start-up")
        recovered: dict[str, float] = {}
        assert "train" in texts(stack.say("ana", "how long does peer specialist training take"))
        for name in ("actions", "rasa", "gateway"):
            os.kill(stack.pid(name), signal.SIGKILL)
            killed = time.monotonic()
            if name == "rasa":
                # while Rasa is down, crisis replies and hand-offs still work
                time.sleep(1)
                crisis = stack.say(f"during-{name}", "i want to end my life")
                assert crisis["messages"][0]["kind"] == "crisis"
                peer = stack.say(f"peer-{name}", "operator")
                assert peer["handoff"]["state"] == "waiting"
            stack.wait_until(lambda: not stack.healthy(), 30, f"{name} noticed down")
            stack.wait_until(stack.healthy, 300, f"{name} back")
            recovered[name] = round(time.monotonic() - killed, 1)
            reply = stack.say("ana", "and what do peer specialists earn?")
            assert reply["messages"] and "status" not in reply, f"the chat goes on after {name}"
        status = json.loads((tmp_path / "processes.json").read_text())["processes"]
        assert all(status[name]["restarts"] == 1 for name in recovered), status
        health = stack.http.get("/health").json()
        assert health["processes"]["rasa"]["restarts"] == 1
        record(start_to_healthy_s=round(started, 1), killed_to_healthy_s=recovered)
        out = stack.output()
        assert "rasa stopped unexpectedly (exit code -9)" in out
        assert "restarting gateway in" in out
    finally:
        stack.stop()
    assert stack.process.returncode == 0
