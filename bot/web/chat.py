"""The web chat's endpoints: a WebSocket (/ws), history after a reload, forget.

WebSocket connections are accepted only from ALLOWED_ORIGINS (browsers don't
apply CORS to WebSockets, so the gateway checks). Messages are limited in
size and rate per session, exactly as on POST /api/chat.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot import requests as checks
from bot import tracker_store
from bot.errors import BadRequest
from bot.events import conversation
from bot.history import history
from bot.services import Services

logger = logging.getLogger(__name__)
CHANNEL = "web"


def services(scope: Request | WebSocket) -> Services:
    return scope.app.state.services


async def get_history(request: Request) -> JSONResponse:
    """GET /api/history?session_id=...: the conversation so far."""
    session = checks.session_id(dict(request.query_params))
    return JSONResponse(await history(services(request), CHANNEL, session))


async def forget(request: Request) -> JSONResponse:
    """POST /api/forget {"session_id"}: delete this conversation everywhere we keep it."""
    svc = services(request)
    session = checks.session_id(await checks.read_json_object(request))
    return JSONResponse({"deleted": await forget_everything(svc, CHANNEL, session)})


async def forget_everything(svc: Services, channel: str, user_key: str) -> dict[str, int]:
    """Rasa's tracker rows and the gateway's hand-off records of one person."""
    conv = svc.conversations.conversation_id(channel, user_key)
    deleted = await svc.conversations.forget(channel, user_key)
    rows = await asyncio.to_thread(tracker_store.forget, svc.settings.rasa_tracker_db, conv)
    deleted["assistant_events"] = rows
    logger.info("privacy.forget conv=%s channel=%s", conv, channel)
    return deleted


def origin_allowed(svc: Services, origin: str | None) -> bool:
    allowed = svc.settings.allowed_origins
    return "*" in allowed or (origin is not None and origin.rstrip("/") in allowed)


async def socket(websocket: WebSocket) -> None:
    """WS /ws: {"type": "hello", "session_id"} then {"type": "message", "text"}."""
    svc = services(websocket)
    if not origin_allowed(svc, websocket.headers.get("origin")):
        logger.warning("web.origin_refused")
        await websocket.close(code=1008)
        return
    await websocket.accept()
    try:
        hello = await asyncio.wait_for(websocket.receive_json(), timeout=15)
        session = checks.session_id(hello if isinstance(hello, dict) else {})
    except (TimeoutError, ValueError, KeyError, BadRequest, WebSocketDisconnect) as exc:
        detail = exc.detail if isinstance(exc, BadRequest) else "Send a hello with your session_id."
        await _send_error_and_close(websocket, detail)
        return
    conv = svc.conversations.conversation_id(CHANNEL, session)
    async with svc.bus.subscribe(conversation(conv)) as queue:
        await websocket.send_json({"type": "hello"})
        pusher = asyncio.create_task(_push(websocket, queue))
        try:
            while True:
                incoming = await websocket.receive_json()
                await websocket.send_json(await _answer(svc, session, incoming))
        except (WebSocketDisconnect, RuntimeError):
            pass
        except ValueError:
            await _send_error_and_close(websocket, "Messages must be JSON.")
        finally:
            pusher.cancel()


async def _answer(svc: Services, session: str, incoming: Any) -> dict[str, Any]:
    try:
        if not isinstance(incoming, dict) or incoming.get("type") != "message":
            raise BadRequest('Send {"type": "message", "text": "..."}.')
        text = checks.message_text(incoming, svc.settings.max_message_chars)
        checks.rate_limit(svc, CHANNEL, session)
    except BadRequest as exc:
        return {"type": "error", "error": exc.detail, "status": exc.status_code}
    reply = await svc.conversations.handle(CHANNEL, session, text)
    return {"type": "reply", **reply.to_dict()}


async def _push(websocket: WebSocket, queue: asyncio.Queue[dict[str, Any]]) -> None:
    try:
        while True:
            await websocket.send_json(await queue.get())
    except (WebSocketDisconnect, RuntimeError):
        return


async def _send_error_and_close(websocket: WebSocket, detail: str) -> None:
    try:
        await websocket.send_json({"type": "error", "error": detail})
        await websocket.close(code=1008)
    except (WebSocketDisconnect, RuntimeError):
        pass


routes = [
    Route("/api/history", get_history, methods=["GET"]),
    Route("/api/forget", forget, methods=["POST"]),
    WebSocketRoute("/ws", socket),
]
