"""The web chat endpoints without a running Rasa: origins, limits, forget, history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gateway.app import create_app
from gateway.rasa.replies import CALM_UNAVAILABLE
from peerpath.settings import Settings

ORIGIN = "https://coalition.example"


@pytest.fixture
def settings(test_env: dict[str, str], tmp_path: Path) -> Settings:
    return Settings.from_env(
        {**test_env, "ALLOWED_ORIGINS": ORIGIN, "RATE_LIMIT_PER_MINUTE": "3",
         "RASA_TRACKER_DB": str(tmp_path / "tracker.db")}
    )  # fmt: skip


@pytest.fixture
def client(settings: Settings, small_index, safety_net):
    with TestClient(create_app(settings, index=small_index, safety=safety_net)) as client:
        yield client


def test_websocket_from_an_allowed_origin_gets_a_calm_reply(client) -> None:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "hello", "session_id": "web-1"})
        assert ws.receive_json() == {"type": "hello"}
        ws.send_json({"type": "message", "text": "hello"})
        reply = ws.receive_json()
        assert reply["type"] == "reply"
        assert reply["messages"][0]["text"] == CALM_UNAVAILABLE
        ws.send_json({"type": "message", "text": "   "})
        assert ws.receive_json()["error"].startswith("text is empty")
        ws.send_json({"type": "message", "text": "x" * 3000})
        assert ws.receive_json()["status"] == 413


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"}, {}])
def test_websocket_from_another_origin_is_refused(client, headers) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/ws", headers=headers),
    ):
        pass
    assert info.value.code == 1008


def test_websocket_needs_a_session_id(client) -> None:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "hello"})
        assert "session_id is required" in ws.receive_json()["error"]


def test_cors_allows_only_configured_origins(client) -> None:
    preflight = {"origin": ORIGIN, "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type"}  # fmt: skip
    ok = client.options("/api/chat", headers=preflight)
    assert ok.headers.get("access-control-allow-origin") == ORIGIN
    refused = client.options("/api/chat", headers={**preflight, "origin": "https://evil.example"})
    assert "access-control-allow-origin" not in refused.headers


def test_sending_too_fast_is_refused_with_429(client) -> None:
    codes = [
        client.post("/api/chat", json={"session_id": "fast", "text": "hi"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [503, 503, 503]  # Rasa is down here: calm 503s
    assert codes[3] == 429
    body = client.post("/api/chat", json={"session_id": "fast", "text": "hi"}).json()
    assert "very fast" in body["error"]
    assert client.post("/api/chat", json={"session_id": "slow", "text": "hi"}).status_code == 503


def test_forget_deletes_the_tracker_rows_of_this_person_only(client, settings: Settings) -> None:
    conv = client.app.state.services.conversations.conversation_id("web", "forget-me")
    with sqlite3.connect(settings.rasa_tracker_db) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        db.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)",
                       [(conv, "a"), (conv, "b"), ("someone-else", "c")])  # fmt: skip
    response = client.post("/api/forget", json={"session_id": "forget-me"})
    assert response.json() == {"deleted": {"tickets": 0, "messages": 0, "assistant_events": 2}}
    with sqlite3.connect(settings.rasa_tracker_db) as db:
        assert db.execute("SELECT sender_id FROM events").fetchall() == [("someone-else",)]


def test_history_without_rasa_is_empty_and_says_so(client) -> None:
    body = client.get("/api/history", params={"session_id": "new-person"}).json()
    assert body == {"status": "degraded", "messages": [], "handoff": None}
    assert client.get("/api/history").status_code == 400
