"""Limits no single client may pass: open WebSockets, and time to send a request body.

Both are ASGI middleware, for what uvicorn has no option for (the server's own
limits, on header size, header time and connections, are set in bot/server.py).

- `SocketCap`: at most `ws_max_per_address` open WebSockets per client address and
  `ws_max_total` in all. A socket over either is accepted and closed at once, so a
  browser sees the code and reason: 1008 (this address has too many) or 1013 (the
  gateway is full, try again later).
- `BodyDeadline`: a request body must arrive within `body_timeout` seconds of the
  request's headers. A slower client gets a 408 and its connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.http.inputs import client_address
from peerpath.settings import ConnectionLimits

logger = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013
TOO_MANY_FROM_ADDRESS = "Too many open connections from your address."
GATEWAY_FULL = "PeerPath is busy. Please try again in a minute."
TOO_SLOW = "The request body arrived too slowly."


class SocketCap:
    """ASGI middleware: refuses a WebSocket over the per-address or the total cap."""

    def __init__(
        self, app: ASGIApp, limits: ConnectionLimits, trusted_proxies: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.limits = limits
        self.trusted_proxies = trusted_proxies
        self.per_address: Counter[str] = Counter()
        self.total = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        address = client_address(HTTPConnection(scope), self.trusted_proxies)
        refusal = self._refusal(address)
        if refusal is not None:
            await _refuse(receive, send, *refusal)
            return
        # One event loop: counting needs no lock, only a finally.
        self.per_address[address] += 1
        self.total += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.total -= 1
            self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]

    def _refusal(self, address: str) -> tuple[int, str] | None:
        if self.per_address[address] >= self.limits.ws_max_per_address:
            logger.info("ws.refused reason=address_cap cap=%d", self.limits.ws_max_per_address)
            return POLICY_VIOLATION, TOO_MANY_FROM_ADDRESS
        if self.total >= self.limits.ws_max_total:
            logger.warning("ws.refused reason=total_cap cap=%d", self.limits.ws_max_total)
            return TRY_AGAIN_LATER, GATEWAY_FULL
        return None


async def _refuse(receive: Receive, send: Send, code: int, reason: str) -> None:
    """Accept, then close with `code`: a browser never sees a refused handshake's status."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    try:
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": code, "reason": reason})
    except OSError:  # the client has gone already
        pass


class BodyTooSlow(Exception):
    """The request body did not arrive within the body timeout."""


class BodyDeadline:
    """ASGI middleware: a request body must arrive within `seconds` of its headers."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        body_complete = False
        started = False

        async def receive_in_time() -> Message:
            nonlocal body_complete
            if body_complete:  # e.g. waiting for a disconnect while streaming: no limit
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_complete = True
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive_in_time, watched)
        except BodyTooSlow:
            logger.info("http.body_timeout path=%s seconds=%g", scope.get("path"), self.seconds)
            if not started:
                response = JSONResponse(
                    {"error": TOO_SLOW}, status_code=408, headers={"Connection": "close"}
                )
                await response(scope, receive, send)
