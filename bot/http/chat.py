"""The web channel's JSON API: chat, history, forget; and the gateway's health."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.http import inputs
from bot.rasa.router import RasaRouter
from bot.services import Services
from peerpath.errors import BadRequest

logger = logging.getLogger(__name__)

CHANNEL = "web"
READY_TIMEOUT = 3.0


def services(request: Request) -> Services:
    return request.app.state.services


async def _limit_address(request: Request, svc: Services) -> None:
    address = inputs.client_address(request, svc.settings.trusted_proxies)
    await inputs.rate_limit(svc.limits.address, address)


async def new_session(request: Request) -> JSONResponse:
    """POST /api/session: a new web session, {"session": "<token>"}.

    Every other call of this API sends it as `Authorization: Bearer <token>`.
    """
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    address = inputs.client_address(request, svc.settings.trusted_proxies)
    await inputs.rate_limit(svc.limits.new_sessions, address, "requests for new sessions")
    return JSONResponse({"session": svc.sessions.issue()}, status_code=201)


async def chat(request: Request) -> JSONResponse:
    """POST /api/chat {"text"}: pass one message to the assistant and return its replies."""
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    session = inputs.web_session(request, svc.sessions)
    await _limit_address(request, svc)
    data = await inputs.read_json_object(request)
    text = data.get("text")
    if text is None:
        raise BadRequest("text is required.")
    if not isinstance(text, str):
        raise BadRequest("text must be a string.")
    reply = await svc.conversations.handle(CHANNEL, session, text)
    status_code = 503 if reply.status == "unavailable" else 200
    return JSONResponse(reply.to_dict(), status_code=status_code)


async def history(request: Request) -> JSONResponse:
    """GET /api/history: this session's conversation so far."""
    svc = services(request)
    session = inputs.web_session(request, svc.sessions)
    await _limit_address(request, svc)
    return JSONResponse(await svc.conversations.history(CHANNEL, session))


async def forget(request: Request) -> JSONResponse:
    """POST /api/forget: delete this session's conversation everywhere we keep it."""
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    session = inputs.web_session(request, svc.sessions)
    await _limit_address(request, svc)
    await inputs.read_json_object(request)  # JSON only: a plain cross-site form can't do this
    return JSONResponse({"deleted": await svc.conversations.forget(CHANNEL, session)})


async def health(request: Request) -> JSONResponse:
    """GET /health: whether the gateway, Rasa and the action server are up (200 or 503).

    Under the supervisor it also says what each process is doing (e.g. restarting,
    and how often it was restarted), from the supervisor's status file.
    """
    svc = services(request)
    rasa_ok, actions_ok = await asyncio.gather(
        svc.rasa.rasa_healthy(), svc.rasa.action_server_healthy()
    )
    body: dict[str, Any] = {
        "status": "ok" if rasa_ok and actions_ok else "degraded",
        "gateway": "ok",
        "rasa": "ok" if rasa_ok else "down",
        "action_server": "ok" if actions_ok else "down",
    }
    if isinstance(svc.rasa, RasaRouter):
        body["replicas"] = await svc.rasa.replicas_health()
    supervised = _supervisor_status(svc.settings.var_dir / "processes.json")
    if supervised:
        body["processes"] = supervised
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


async def live(request: Request) -> JSONResponse:
    """GET /health/live: the gateway itself answers (a liveness probe; Rasa may be down)."""
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    """GET /health/ready: the gateway can take traffic: its hand-off store answers (a
    readiness probe). Rasa is not asked: without it, people still get crisis replies and
    peers. Redis (REDIS_URL) is reported, not required: limits and live pushes degrade
    gracefully without it (bot/shared/)."""
    svc = services(request)
    try:
        with anyio.fail_after(READY_TIMEOUT):
            await anyio.to_thread.run_sync(svc.handoff.store.pending_count)
    except Exception as exc:  # any store failing means: not ready; the log says which kind
        logger.warning("health.not_ready error=%s", type(exc).__name__)
        return JSONResponse({"status": "not ready"}, status_code=503)
    body = {"status": "ok"}
    if svc.shared is not None:
        with anyio.move_on_after(READY_TIMEOUT):
            body["redis"] = "down"
            body["redis"] = "ok" if await svc.shared.answers() else "down"
    return JSONResponse(body)


def _supervisor_status(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    processes = data.get("processes") if isinstance(data, dict) else None
    return processes if isinstance(processes, dict) else None


routes = [
    Route("/session", new_session, methods=["POST"]),
    Route("/chat", chat, methods=["POST"]),
    Route("/history", history, methods=["GET"]),
    Route("/forget", forget, methods=["POST"]),
]
