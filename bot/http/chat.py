"""The web channel's JSON API: sessions, chat, history, forget; and the gateway's health."""

from __future__ import annotations

import asyncio
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
from bot.sessions import ENDED
from peerpath.errors import BadRequest
from supervisor import status as supervisor_status

logger = logging.getLogger(__name__)

CHANNEL = "web"
READY_TIMEOUT = 3.0


def services(request: Request) -> Services:
    return request.app.state.services


async def _limit_address(request: Request, svc: Services) -> None:
    address = inputs.client_address(request, svc.settings.trusted_proxies)
    await inputs.rate_limit(svc.limits.address, address)


async def _session(request: Request, svc: Services) -> str:
    """The live web session this request carries (401 without one: none, forged, or ended)."""
    token = inputs.bearer(request)
    session = await svc.sessions.check(token)
    if session is None:
        genuine = svc.sessions.read(token) is not None
        raise BadRequest(ENDED if genuine else inputs.NO_SESSION, 401)
    return session


async def new_session(request: Request) -> JSONResponse:
    """POST /api/session: a new web session, {"session": "<token>", "idle_minutes",
    "remember_minutes"}.

    Every other call of this API sends it as `Authorization: Bearer <token>`. It ends
    after `idle_minutes` unused; the widget may keep it on the device (localStorage)
    for `remember_minutes` unused, and keeps it in the tab only when that is 0.
    """
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    address = inputs.client_address(request, svc.settings.trusted_proxies)
    await inputs.rate_limit(svc.limits.new_sessions, address, "requests for new sessions")
    body = {
        "session": svc.sessions.issue(),
        "idle_minutes": svc.settings.session_idle_minutes,
        "remember_minutes": svc.settings.widget_remember_minutes,
    }
    return JSONResponse(body, status_code=201)


async def end_session(request: Request) -> JSONResponse:
    """POST /api/session/end: revoke this session's token, keeping its conversation
    (the widget's "Start over"; /api/forget also erases)."""
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    session = await _session(request, svc)
    await _limit_address(request, svc)
    await inputs.read_json_object(request)  # JSON only: a plain cross-site form can't do this
    await svc.sessions.end(session)
    return JSONResponse({"ended": True})


async def chat(request: Request) -> JSONResponse:
    """POST /api/chat {"text", "message_id"?}: pass one message to the assistant and return
    its replies. Sent again with the same message_id, it gets the same replies, once."""
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    session = await _session(request, svc)
    data = await inputs.read_json_object(request)
    text = data.get("text")
    if text is None:
        raise BadRequest("text is required.")
    if not isinstance(text, str):
        raise BadRequest("text must be a string.")
    once = inputs.message_id(data)
    # The address's limit applies after the safety net: a crisis message is never refused.
    client = inputs.client_address(request, svc.settings.trusted_proxies)
    reply = await svc.conversations.handle(CHANNEL, session, text, client=client, message_id=once)
    status_code = 503 if reply.status == "unavailable" else 200
    return JSONResponse(reply.to_dict(), status_code=status_code)


async def history(request: Request) -> JSONResponse:
    """GET /api/history: this session's conversation so far."""
    svc = services(request)
    session = await _session(request, svc)
    await _limit_address(request, svc)
    return JSONResponse(await svc.conversations.history(CHANNEL, session))


async def forget(request: Request) -> JSONResponse:
    """POST /api/forget: delete this session's conversation everywhere we keep it, then
    revoke its token (a hand-off still open is closed first)."""
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    session = await _session(request, svc)
    await _limit_address(request, svc)
    await inputs.read_json_object(request)  # JSON only: a plain cross-site form can't do this
    deleted = await svc.conversations.forget(CHANNEL, session)
    # Revoked after erasing: if erasing fails, the person can still ask again.
    await svc.sessions.end(session)
    return JSONResponse({"deleted": deleted})


async def health(request: Request) -> JSONResponse:
    """GET /health: whether the gateway, Rasa and the action server are up (200 or 503).

    Under the supervisor it also says what each process is doing (e.g. restarting,
    and how often it was restarted), from the supervisor's status file: "unknown"
    when the file is stale, its supervisor is gone, or a process's pid is dead.
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
        body.update(supervised)
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
    """{"supervisor", "processes"} from the status file, believed only while fresh."""
    return supervisor_status.report_file(path)


routes = [
    Route("/session", new_session, methods=["POST"]),
    Route("/session/end", end_session, methods=["POST"]),
    Route("/chat", chat, methods=["POST"]),
    Route("/history", history, methods=["GET"]),
    Route("/forget", forget, methods=["POST"]),
]
