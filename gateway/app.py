"""The gateway's Starlette application: routes, channels, errors, lifespan."""

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
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from gateway.channels.base import Channel
from gateway.channels.web import WebChannel
from gateway.http import chat, resources, search, staff
from gateway.pages import kb, site
from gateway.safety import SafetyNet
from gateway.services import Services
from peerpath.errors import BadRequest, HandoffError, PeerPathError
from peerpath.search.index import KnowledgeIndex
from peerpath.settings import Settings

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


def channels_for(settings: Settings) -> list[Channel]:
    """The web channel always; Telegram when TELEGRAM_TOKEN is set."""
    channels: list[Channel] = [WebChannel()]
    if settings.telegram.enabled:
        from gateway.channels.telegram.channel import TelegramChannel

        channels.append(TelegramChannel(settings.telegram))
    else:
        logger.info("telegram.disabled reason=TELEGRAM_TOKEN is not set")
    return channels


def create_app(
    settings: Settings,
    *,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    index: KnowledgeIndex | None = None,
    safety: SafetyNet | None = None,
) -> Starlette:
    """Build the gateway app; its services and channels start and stop with its lifespan."""
    channels = channels_for(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = await Services.start(
            settings, rasa_transport=rasa_transport, index=index, safety=safety
        )
        app.state.services = services
        started: list[Channel] = []
        try:
            for channel in channels:
                await channel.start(services)
                services.outbox.people[channel.name] = channel.deliver
                started.append(channel)
            services.start_background()
            yield
        finally:
            for channel in reversed(started):
                await channel.stop()
            await services.aclose()

    routes: list[BaseRoute] = [
        Mount("/api", routes=[*chat.routes, *search.routes, *resources.routes, *staff.routes]),
        Route("/health", chat.health, methods=["GET"]),
        Route("/health/live", chat.live, methods=["GET"]),
        *staff.socket_routes,
        *(route for channel in channels for route in channel.routes()),
        *kb.routes,
        *site.routes,
    ]
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
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            BadRequest: bad_request,
            HandoffError: bad_request,
            HTTPException: http_error,
            PeerPathError: peerpath_error,
            Exception: server_error,
        },
    )
