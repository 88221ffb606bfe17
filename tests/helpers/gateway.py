"""Talking to an in-process gateway the way a web client does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.settings import Settings

STAFF_TOKEN = "test-staff-token-0123456789"
OTHER_STAFF_TOKEN = "other-staff-token-987654321"
STAFF_ENV = {"STAFF_TOKENS": f"Sam:{STAFF_TOKEN},Alex:{OTHER_STAFF_TOKEN}"}

# Many messages from one test address: where a test's subject is not the limits.
NO_LIMITS = {
    "RATE_LIMIT_PER_MINUTE": "10000",
    "RATE_LIMIT_PER_ADDRESS": "100000",
    "SESSIONS_PER_ADDRESS": "100000",
}


def handoff_env(stack: Any, var_dir: Path, **extra: str) -> dict[str, str]:
    """A gateway's own VAR_DIR, peers always on, and the stack's Rasa tracker (so
    history and forgetting read what Rasa wrote)."""
    return {"VAR_DIR": str(var_dir), "HANDOFF_HOURS": "always",
            "RASA_TRACKER_DB": str(stack.settings.rasa_tracker_db), **extra}  # fmt: skip


@contextmanager
def stack_gateway(stack: Any, index: Any, safety: Any, **env: str) -> Iterator[TestClient]:
    """An in-process gateway in front of a running stack (tests/helpers/stack.py),
    with the two test staff accounts and any extra settings."""
    settings = Settings.from_env({**stack.env, **STAFF_ENV, **env})
    app = create_app(settings, index=index, safety=safety)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


# Web sessions by the name a test gives them. Tokens hold for every gateway built
# with the same SESSION_SECRET, so a session outlives a gateway restart.
_sessions: dict[str, str] = {}


def session(client: TestClient, name: str) -> dict[str, str]:
    """Headers carrying the web session a test calls `name` (created on first use)."""
    token = _sessions.get(name)
    if token is None or client.app.state.services.sessions.verify(token) is None:
        response = client.post("/api/session")
        assert response.status_code == 201, response.text
        token = _sessions[name] = response.json()["session"]
    return {"Authorization": f"Bearer {token}"}


def session_key(client: TestClient, name: str) -> str:
    """The id inside the session's token: what the web channel knows the person by."""
    session(client, name)
    return _sessions[name].split(".")[0]


def say(client: TestClient, name: str, text: str) -> dict[str, Any]:
    response = client.post("/api/chat", json={"text": text}, headers=session(client, name))
    assert response.status_code == 200, response.text
    return response.json()


def history(client: TestClient, name: str) -> dict[str, Any]:
    response = client.get("/api/history", headers=session(client, name))
    assert response.status_code == 200, response.text
    return response.json()


def texts(reply: dict[str, Any]) -> str:
    return "\n".join(m.get("text", "") for m in reply.get("messages", []))


def staff(token: str = STAFF_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
