"""The web channel without a running Rasa: sessions it issues, origins, limits, forget, history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot.app import create_app
from bot.rasa.replies import CALM_UNAVAILABLE
from peerpath.settings import Settings
from tests.helpers.gateway import session, session_key

ORIGIN = "https://coalition.example"


@pytest.fixture
def settings(test_env: dict[str, str], tmp_path: Path) -> Settings:
    return Settings.from_env(
        {**test_env, "ALLOWED_ORIGINS": ORIGIN, "RATE_LIMIT_PER_MINUTE": "3",
         "RATE_LIMIT_PER_ADDRESS": "12", "RASA_TRACKER_DB": str(tmp_path / "tracker.db")}
    )  # fmt: skip


@pytest.fixture
def client(settings: Settings, small_index, safety_net):
    with TestClient(create_app(settings, index=small_index, safety=safety_net)) as client:
        yield client


def hello(ws, token: str | None = None) -> str:  # type: ignore[no-untyped-def]
    ws.send_json({"type": "hello", "session": token})
    answer = ws.receive_json()
    assert answer["type"] == "hello"
    return answer["session"]


def test_websocket_from_an_allowed_origin_gets_a_session_and_a_calm_reply(client) -> None:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        token = hello(ws)
        assert client.app.state.services.sessions.verify(token) is not None
        ws.send_json({"type": "message", "text": "hello"})
        reply = ws.receive_json()
        assert reply["type"] == "reply"
        assert reply["messages"][0]["text"] == CALM_UNAVAILABLE


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ({"type": "message", "text": "   "}, "text is empty"),
        ({"type": "message", "text": "x" * 3000}, "the limit is 2000"),
        ({"type": "message", "text": 7}, "text must be a string"),
        ({"type": "nonsense"}, 'Send {"type": "message"'),
        (b"\x00\x01binary", "Send text frames"),
        ("not json {", "must be JSON"),
        ("[1, 2]", "JSON object"),
        ("[" * 5000 + "]" * 5000, "must be JSON"),
    ],
)
def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays_open(client, frame, error) -> None:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        hello(ws)
        if isinstance(frame, bytes):
            ws.send_bytes(frame)
        elif isinstance(frame, str):
            ws.send_text(frame)
        else:
            ws.send_json(frame)
        answer = ws.receive_json()
        assert answer["type"] == "error" and error in answer["error"]
        ws.send_json({"type": "message", "text": "still there?"})
        assert ws.receive_json()["type"] == "reply"


def test_a_session_is_kept_and_a_forged_one_is_replaced(client) -> None:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        token = hello(ws)
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        assert hello(ws, token) == token, "the same session after a reconnect"
    forged = token.split(".")[0] + "." + "A" * 32
    for claimed in (forged, "me", "web-1234", None):
        with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
            assert hello(ws, claimed) not in (token, claimed)


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"}, {}])
def test_websocket_from_another_origin_is_refused(client, headers) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/ws", headers=headers),
    ):
        pass
    assert info.value.code == 1008


def test_websocket_needs_a_hello_first(client) -> None:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        ws.send_bytes(b"\xff")
        assert "hello" in ws.receive_json()["error"]


def test_cors_allows_only_configured_origins(client) -> None:
    preflight = {"origin": ORIGIN, "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type, authorization"}  # fmt: skip
    ok = client.options("/api/chat", headers=preflight)
    assert ok.headers.get("access-control-allow-origin") == ORIGIN
    assert "authorization" in ok.headers.get("access-control-allow-headers", "").lower()
    refused = client.options("/api/chat", headers={**preflight, "origin": "https://evil.example"})
    assert "access-control-allow-origin" not in refused.headers


def test_the_api_needs_a_session_the_gateway_issued(client) -> None:
    for headers in ({}, {"Authorization": "Bearer me"}, {"Authorization": "Bearer " + "a" * 57}):
        response = client.post("/api/chat", json={"text": "hi"}, headers=headers)
        assert response.status_code == 401
        assert "POST /api/session" in response.json()["error"]
        assert client.get("/api/history", headers=headers).status_code == 401
        assert client.post("/api/forget", json={}, headers=headers).status_code == 401


def test_another_sites_page_cant_post_as_the_person(client) -> None:
    who = session(client, "csrf-target")
    plain = client.post("/api/chat", content=b'{"text": "hi"}',
                        headers={**who, "content-type": "text/plain"})  # fmt: skip
    assert plain.status_code == 415
    cross = client.post("/api/forget", json={},
                        headers={**who, "origin": "https://evil.example"})  # fmt: skip
    assert cross.status_code == 403
    fetch_metadata = client.post("/api/chat", json={"text": "hi"},
                                 headers={**who, "sec-fetch-site": "cross-site"})  # fmt: skip
    assert fetch_metadata.status_code == 403
    allowed = client.post("/api/chat", json={"text": "hi"}, headers={**who, "origin": ORIGIN})
    assert allowed.status_code == 503, "an allowed origin gets through (Rasa is down here)"


def test_sending_too_fast_is_refused_with_429_and_retry_after(client) -> None:
    fast = session(client, "fast")
    codes = [client.post("/api/chat", json={"text": "hi"}, headers=fast).status_code
             for _ in range(4)]  # fmt: skip
    assert codes[:3] == [503, 503, 503]  # Rasa is down here: calm 503s
    assert codes[3] == 429
    refused = client.post("/api/chat", json={"text": "hi"}, headers=fast)
    assert "very fast" in refused.json()["error"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    slow = session(client, "slow")
    assert client.post("/api/chat", json={"text": "hi"}, headers=slow).status_code == 503


def test_fresh_sessions_dont_get_around_the_limit_per_address(client) -> None:
    codes = []
    for n in range(16):
        who = session(client, f"many-{n}")
        codes.append(client.post("/api/chat", json={"text": "hi"}, headers=who).status_code)
    assert 429 in codes and codes.index(429) <= 12
    search = [client.get("/api/search", params={"q": "peer jobs"}).status_code for _ in range(3)]
    assert search[-1] == 429, "the address limit covers search too"


def test_forget_deletes_the_tracker_rows_of_this_person_only(client, settings: Settings) -> None:
    key = session_key(client, "forget-me")
    conv = client.app.state.services.conversations.conversation_id("web", key)
    with sqlite3.connect(settings.rasa_tracker_db) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        db.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)",
                       [(conv, "a"), (conv, "b"), ("someone-else", "c")])  # fmt: skip
    response = client.post("/api/forget", json={}, headers=session(client, "forget-me"))
    assert response.json() == {"deleted": {"tickets": 0, "messages": 0, "assistant_events": 2}}
    with sqlite3.connect(settings.rasa_tracker_db) as db:
        assert db.execute("SELECT sender_id FROM events").fetchall() == [("someone-else",)]


def test_history_without_rasa_is_empty_and_says_so(client) -> None:
    body = client.get("/api/history", headers=session(client, "new-person")).json()
    assert body == {"status": "degraded", "messages": [], "handoff": None}
