"""Talking to an in-process gateway the way a web client does."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

STAFF_TOKEN = "test-staff-token-0123456789"
OTHER_STAFF_TOKEN = "other-staff-token-987654321"
STAFF_ENV = {"STAFF_TOKENS": f"Sam:{STAFF_TOKEN},Alex:{OTHER_STAFF_TOKEN}"}


def say(client: TestClient, session: str, text: str) -> dict[str, Any]:
    response = client.post("/api/chat", json={"session_id": session, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def texts(reply: dict[str, Any]) -> str:
    return "\n".join(m.get("text", "") for m in reply.get("messages", []))


def staff(token: str = STAFF_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
