"""How errors reach callers: a clear 4xx for bad input, a calm 5xx for ours, never a traceback.

The exception handlers turn PeerPath's own errors into JSON. `LastResort`
catches anything else: the caller gets a calm 500 (or, on a WebSocket, close
code 1011), the log gets the error's type and path only (a traceback could
quote what a person typed), and the connection stays usable. A caller that
went away mid-request is logged at INFO: nothing of ours broke.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect

from peerpath.errors import BadRequest, HandoffError, PeerPathError

logger = logging.getLogger(__name__)
TROUBLE = "PeerPath is having trouble right now. Please try again in a minute."
OUR_SIDE = "Something went wrong on our side. Please try again in a minute."


async def bad_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadRequest | HandoffError)
    headers = {}
    if isinstance(exc, BadRequest) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=headers)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def peerpath_error(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("http.error path=%s error=%s", request.url.path, type(exc).__name__)
    return JSONResponse({"error": TROUBLE}, status_code=503)


HANDLERS = {
    BadRequest: bad_request,
    HandoffError: bad_request,
    HTTPException: http_error,
    PeerPathError: peerpath_error,
}


class LastResort:
    """ASGI middleware: whatever escapes becomes a calm answer and a one-line log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        answered = False

        async def watched(message: Message) -> None:
            nonlocal answered
            if message["type"] in ("http.response.start", "websocket.close"):
                answered = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except (ClientDisconnect, WebSocketDisconnect):
            # the caller went away mid-request: nothing to answer, nothing of ours broke
            logger.info("http.client_gone path=%s", scope.get("path"))
        except Exception as exc:
            logger.error("http.unhandled path=%s error=%s", scope.get("path"), type(exc).__name__)
            if answered:
                return
            if scope["type"] == "http":
                await JSONResponse({"error": OUR_SIDE}, status_code=500)(scope, receive, send)
            else:
                try:
                    await send({"type": "websocket.close", "code": 1011})
                except Exception:  # the socket is already gone
                    logger.info("http.websocket_gone path=%s", scope.get("path"))
