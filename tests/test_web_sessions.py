"""Web sessions end, over the real gateway (no Rasa here): an idle token and a forgotten
one are refused with a clear 401, on the JSON API and the WebSocket alike."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.sessions import WebSessions
from peerpath.settings import Settings

ORIGIN = "https://coalition.example"
IDLE_MINUTES = 30


@pytest.fixture
def settings(test_env: dict[str, str], tmp_path: Path) -> Settings:
    return Settings.from_env(
        {**test_env, "ALLOWED_ORIGINS": ORIGIN, "SESSION_IDLE_MINUTES": str(IDLE_MINUTES),
         "WIDGET_REMEMBER_MINUTES": "20", "RASA_TRACKER_DB": str(tmp_path / "tracker.db")}
    )  # fmt: skip


@pytest.fixture
def client(settings: Settings, small_index, safety_net):
    with TestClient(create_app(settings, index=small_index, safety=safety_net)) as client:
        yield client


def new_token(client: TestClient) -> str:
    response = client.post("/api/session")
    assert response.status_code == 201
    return response.json()["session"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(client: TestClient, token: str) -> list[int]:
    """The status of chat, history and forget with `token`."""
    return [
        client.post("/api/chat", json={"text": "hi"}, headers=bearer(token)).status_code,
        client.get("/api/history", headers=bearer(token)).status_code,
        client.post("/api/forget", json={}, headers=bearer(token)).status_code,
    ]


def hello(client: TestClient, token: str | None) -> dict:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "hello", "session": token})
        return ws.receive_json()


def test_a_new_session_says_how_long_it_lasts(client) -> None:
    body = client.post("/api/session").json()
    assert body["idle_minutes"] == IDLE_MINUTES
    assert body["remember_minutes"] == 20
    answer = hello(client, None)
    assert (answer["idle_minutes"], answer["remember_minutes"]) == (IDLE_MINUTES, 20)


def test_an_idle_token_is_refused_with_a_clear_error(client, settings: Settings) -> None:
    # A genuine token of this install, issued (and never used) longer ago than the expiry.
    then = time.time() - (IDLE_MINUTES + 1) * 60
    old = WebSessions(settings.session_secret, IDLE_MINUTES, clock=lambda: then).issue()
    assert refused(client, old) == [401, 401, 401]
    error = client.get("/api/history", headers=bearer(old)).json()["error"]
    assert "has ended" in error and "POST /api/session" in error
    answer = hello(client, old)
    assert answer["type"] == "hello" and answer["session"] != old, "a new session instead"
    fresh = new_token(client)
    assert client.get("/api/history", headers=bearer(fresh)).status_code == 200


def test_a_token_within_the_idle_expiry_works(client, settings: Settings) -> None:
    # Issued 20 minutes ago and not used since: still live (tests/specs/test_sessions.py
    # shows each use renewing it).
    then = time.time() - 20 * 60
    token = WebSessions(settings.session_secret, IDLE_MINUTES, clock=lambda: then).issue()
    assert client.get("/api/history", headers=bearer(token)).status_code == 200
    assert client.app.state.services.sessions.verify(token) is not None


def test_forget_erases_and_revokes_the_token_everywhere(client) -> None:
    token = new_token(client)
    other = new_token(client)
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "hello", "session": token})
        assert ws.receive_json()["session"] == token
        forget = client.post("/api/forget", json={}, headers=bearer(token))
        assert forget.status_code == 200 and "deleted" in forget.json()
        # The socket that was open on it is refused at its next message, and closed.
        ws.send_json({"type": "message", "text": "still me?"})
        frame = ws.receive_json()
        assert frame["type"] == "error" and frame["status"] == 401
    assert refused(client, token) == [401, 401, 401]
    assert hello(client, token)["session"] != token
    assert client.get("/api/history", headers=bearer(other)).status_code == 200, "only that one"


def test_start_over_revokes_the_token_and_needs_a_same_site_json_request(client) -> None:
    token = new_token(client)
    cross = client.post("/api/session/end", json={},
                        headers={**bearer(token), "origin": "https://evil.example"})  # fmt: skip
    assert cross.status_code == 403
    plain = client.post("/api/session/end", content=b"{}",
                        headers={**bearer(token), "content-type": "text/plain"})  # fmt: skip
    assert plain.status_code == 415
    assert client.get("/api/history", headers=bearer(token)).status_code == 200
    ended = client.post("/api/session/end", json={}, headers=bearer(token))
    assert ended.json() == {"ended": True}
    assert refused(client, token) == [401, 401, 401]
