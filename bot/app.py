"""The gateway's Starlette application: routes, channels, errors, lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Mount, Route

from bot.channels.base import Channel
from bot.channels.web import WebChannel
from bot.http import chat, lists, metrics, resources, search, staff
from bot.http.errors import HANDLERS, LastResort
from bot.http.limits import BodyDeadline, SocketCap
from bot.http.metrics import CountResponses
from bot.pages import kb, site
from bot.pages import lists as shared_lists
from bot.safety import SafetyNet
from bot.services import Services
from peerpath.search.index import KnowledgeIndex
from peerpath.settings import Settings

logger = logging.getLogger(__name__)


def channels_for(settings: Settings) -> list[Channel]:
    """The web channel always; Telegram when TELEGRAM_TOKEN is set."""
    channels: list[Channel] = [WebChannel()]
    if settings.telegram.enabled:
        from bot.channels.telegram.channel import TelegramChannel

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
        Mount(
            "/api",
            routes=[*chat.routes, *search.routes, *resources.routes, *lists.routes, *staff.routes],
        ),
        Route("/health", chat.health, methods=["GET"]),
        Route("/health/live", chat.live, methods=["GET"]),
        Route("/health/ready", chat.ready, methods=["GET"]),
        Route("/metrics", metrics.metrics, methods=["GET"]),
        *staff.socket_routes,
        *(route for channel in channels for route in channel.routes()),
        *kb.routes,
        *shared_lists.routes,
        *site.routes,
    ]
    middleware = [
        Middleware(CountResponses),
        Middleware(LastResort),
        Middleware(
            SocketCap, limits=settings.connections, trusted_proxies=settings.trusted_proxies
        ),
        Middleware(BodyDeadline, seconds=settings.connections.body_timeout),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["content-type", "authorization"],
        ),
    ]
    return Starlette(
        middleware=middleware,
        routes=routes,
        lifespan=lifespan,
        exception_handlers=HANDLERS,
    )
