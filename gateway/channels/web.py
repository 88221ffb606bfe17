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

from gateway.events import conversation
from gateway.handoff.store import Ticket
from gateway.http import inputs
from gateway.services import Services
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
        """WS /ws: {"type": "hello", "session_id"} then {"type": "message", "text"}."""
        svc = self.services
        if not origin_allowed(svc.settings.allowed_origins, websocket.headers.get("origin")):
            logger.warning("web.origin_refused")
            await websocket.close(code=1008)
            return
        await websocket.accept()
        try:
            hello = await asyncio.wait_for(websocket.receive_json(), timeout=15)
            session = inputs.session_id(hello if isinstance(hello, dict) else {})
        except (TimeoutError, ValueError, KeyError, BadRequest, WebSocketDisconnect) as exc:
            detail = (
                exc.detail if isinstance(exc, BadRequest) else "Send a hello with your session_id."
            )
            await _send_error_and_close(websocket, detail)
            return
        conv = svc.conversations.conversation_id(CHANNEL, session)
        async with svc.bus.subscribe(conversation(conv)) as queue:
            await websocket.send_json({"type": "hello"})
            pusher = asyncio.create_task(_push(websocket, queue))
            try:
                while True:
                    incoming = await websocket.receive_json()
                    await websocket.send_json(await self._answer(session, incoming))
            except (WebSocketDisconnect, RuntimeError):
                pass
            except ValueError:
                await _send_error_and_close(websocket, "Messages must be JSON.")
            finally:
                pusher.cancel()

    async def _answer(self, session: str, incoming: Any) -> dict[str, Any]:
        svc = self.services
        try:
            if not isinstance(incoming, dict) or incoming.get("type") != "message":
                raise BadRequest('Send {"type": "message", "text": "..."}.')
            text = inputs.message_text(incoming, svc.settings.max_message_chars)
            inputs.rate_limit(svc, CHANNEL, session)
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
