"""The gateway's HTTP API: chat and health."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import requests as checks
from bot.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


async def chat(request: Request) -> JSONResponse:
    """POST /api/chat: pass one message to the assistant and return its replies."""
    svc = services(request)
    data = await checks.read_json_object(request)
    session = checks.session_id(data)
    text = checks.message_text(data, svc.settings.max_message_chars)
    checks.rate_limit(svc, "web", session)
    reply = await svc.conversations.handle("web", session, text)
    status_code = 503 if reply.status == "unavailable" else 200
    return JSONResponse(reply.to_dict(), status_code=status_code)


async def health(request: Request) -> JSONResponse:
    """GET /health: whether the gateway, Rasa and the action server are up."""
    rasa = services(request).rasa
    rasa_ok, actions_ok = await asyncio.gather(rasa.rasa_healthy(), rasa.action_server_healthy())
    body = {
        "status": "ok" if rasa_ok and actions_ok else "degraded",
        "gateway": "ok",
        "rasa": "ok" if rasa_ok else "down",
        "action_server": "ok" if actions_ok else "down",
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


routes = [
    Route("/api/chat", chat, methods=["POST"]),
    Route("/health", health, methods=["GET"]),
]
