"""The gateway's Starlette application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import api, search_api
from bot.errors import BadRequest, HandoffError, PeerPathError
from bot.handoff import api as staff_api
from bot.safety import SafetyNet
from bot.search.index import KnowledgeIndex
from bot.services import Services
from bot.settings import Settings
from bot.web import chat, kb, pages

logger = logging.getLogger(__name__)


async def bad_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadRequest | HandoffError)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def peerpath_error(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("http.error path=%s error=%s", request.url.path, type(exc).__name__)
    return JSONResponse(
        {"error": "PeerPath is having trouble right now. Please try again in a minute."},
        status_code=503,
    )


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises after this handler, so the server logs the traceback.
    return JSONResponse(
        {"error": "Something went wrong on our side. Please try again in a minute."},
        status_code=500,
    )


async def start_telegram(settings: Settings, services: Services):  # type: ignore[no-untyped-def]
    """The Telegram channel, if TELEGRAM_TOKEN is set (the rest runs without it)."""
    if not settings.telegram.enabled:
        logger.info("telegram.disabled reason=TELEGRAM_TOKEN is not set")
        return None
    from bot.telegram.channel import TelegramChannel

    channel = TelegramChannel(settings.telegram, services)
    await channel.start()
    return channel


async def telegram_webhook(request: Request) -> Response:
    """POST /telegram/webhook: Telegram's updates, in webhook mode only."""
    channel = request.app.state.telegram
    if channel is None or not channel.config.webhook_url:
        return JSONResponse({"error": "Not Found"}, status_code=404)
    return await channel.webhook(request)


def create_app(
    settings: Settings,
    *,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    index: KnowledgeIndex | None = None,
    safety: SafetyNet | None = None,
) -> Starlette:
    """Build the gateway app; its services start and stop with the app's lifespan."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = await Services.start(
            settings, rasa_transport=rasa_transport, index=index, safety=safety
        )
        app.state.services = services
        services.start_background()
        app.state.telegram = await start_telegram(settings, services)
        try:
            yield
        finally:
            if app.state.telegram is not None:
                await app.state.telegram.stop()
            await services.aclose()

    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        )
    ]
    return Starlette(
        middleware=middleware,
        routes=api.routes
        + chat.routes
        + search_api.routes
        + kb.routes
        + staff_api.routes
        + pages.routes
        + [Route("/telegram/webhook", telegram_webhook, methods=["POST"])],
        lifespan=lifespan,
        exception_handlers={
            BadRequest: bad_request,
            HandoffError: bad_request,
            HTTPException: http_error,
            PeerPathError: peerpath_error,
            Exception: server_error,
        },
    )
