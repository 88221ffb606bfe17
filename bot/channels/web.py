"""The chat widget's channel: a WebSocket at /ws, and live pushes to open screens.

WebSocket connections are accepted only from ALLOWED_ORIGINS (browsers don't
apply CORS to WebSockets, so the gateway checks). The JSON API (http/chat.py)
is the same channel for clients without a socket; both hand every message to
Conversations, which applies the same input rules to every channel.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.events import conversation
from bot.handoff.store import Ticket
from bot.http import inputs
from bot.services import Services
from bot.sessions import ENDED
from peerpath.errors import BadRequest

logger = logging.getLogger(__name__)
CHANNEL = "web"


def origin_allowed(allowed: tuple[str, ...], origin: str | None) -> bool:
    return "*" in allowed or (origin is not None and origin.rstrip("/") in allowed)


class WebChannel:
    """The widget's WebSocket; hand-off news reaches open screens through the event bus."""

    name = CHANNEL

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        assert self._services is not None, "the channel has not started"
        return self._services

    def routes(self) -> list[BaseRoute]:
        return [WebSocketRoute("/ws", self.socket)]

    async def start(self, services: Services) -> None:
        self._services = services

    async def stop(self) -> None:
        self._services = None

    async def deliver(self, ticket: Ticket, messages: list[dict[str, Any]]) -> None:
        # Live screens get it now; a closed one finds it in /api/history.
        self.services.bus.publish(
            conversation(ticket.conv_id), {"type": "push", "messages": messages}
        )

    async def socket(self, websocket: WebSocket) -> None:
        """WS /ws: {"type": "hello", "session": token | null}, then {"type": "message", "text",
        "message_id"?} (a retried message_id gets the reply already given).

        The hello's answer carries the session to keep (a new one when none or a
        forged one was sent). Anything malformed gets an error frame, not a closed
        socket; only a missing hello closes it.
        """
        svc = self.services
        if not origin_allowed(svc.settings.allowed_origins, websocket.headers.get("origin")):
            logger.warning("web.origin_refused")
            await websocket.close(code=1008)
            return
        address = inputs.client_address(websocket, svc.settings.trusted_proxies)
        await websocket.accept()
        try:
            hello = await asyncio.wait_for(_receive_json(websocket), timeout=15)
        except (TimeoutError, BadRequest, WebSocketDisconnect):
            await _send_error_and_close(websocket, 'Start with {"type": "hello"}.')
            return
        session = await svc.sessions.check(hello.get("session"))  # None also when it ended
        if session is None:
            try:
                await inputs.rate_limit(
                    svc.limits.new_sessions, address, "requests for new sessions"
                )
            except BadRequest as exc:
                await _send_error_and_close(websocket, exc.detail)
                return
            token = svc.sessions.issue()
            session = svc.sessions.verify(token)
            assert session is not None
        else:
            token = str(hello["session"])
        conv = svc.conversations.conversation_id(CHANNEL, session)
        async with svc.bus.subscribe(conversation(conv)) as queue:
            await websocket.send_json({
                "type": "hello", "session": token,
                "idle_minutes": svc.settings.session_idle_minutes,
                "remember_minutes": svc.settings.widget_remember_minutes,
            })  # fmt: skip
            pusher = asyncio.create_task(_push(websocket, queue))
            try:
                while True:
                    try:
                        incoming = await _receive_json(websocket)
                    except BadRequest as exc:
                        await websocket.send_json(_error(exc))
                        continue
                    if await svc.sessions.check(token) is None:  # idle too long, or revoked
                        await websocket.send_json(_error(BadRequest(ENDED, 401)))
                        await websocket.close(code=1008)
                        return
                    await websocket.send_json(await self._answer(session, address, incoming))
            except (WebSocketDisconnect, RuntimeError):
                pass
            finally:
                pusher.cancel()

    async def _answer(self, session: str, address: str, incoming: dict[str, Any]) -> dict[str, Any]:
        svc = self.services
        try:
            if incoming.get("type") != "message":
                raise BadRequest('Send {"type": "message", "text": "..."}.')
            text = incoming.get("text")
            if not isinstance(text, str):
                raise BadRequest("text must be a string.")
            once = inputs.message_id(incoming)
            # the address's limit applies after the safety net: a crisis is never refused
            reply = await svc.conversations.handle(
                CHANNEL, session, text, client=address, message_id=once
            )
        except BadRequest as exc:
            return _error(exc)
        return {"type": "reply", **reply.to_dict()}


def _error(exc: BadRequest) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "error": exc.detail, "status": exc.status_code}
    if exc.retry_after is not None:
        frame["retry_after"] = exc.retry_after
    return frame


async def _receive_json(websocket: WebSocket) -> dict[str, Any]:
    """The next frame as a JSON object; BadRequest for binary, non-JSON or huge frames."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        raise BadRequest("Send text frames with JSON in them.")
    if len(text) > inputs.MAX_BODY_BYTES:
        raise BadRequest(f"A frame may be at most {inputs.MAX_BODY_BYTES} bytes.", 413)
    return inputs.parse_json_object(text)


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
