"""GET /metrics: the gateway's Prometheus metrics (bot/metrics.py), and the middleware
that counts every HTTP response by status class.

Who may scrape: peerpath/scrape.py.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.http import inputs
from bot.http.chat import services
from bot.metrics import CONTENT_TYPE, Metrics, status_class
from peerpath import scrape

logger = logging.getLogger(__name__)


async def metrics(request: Request) -> Response:
    svc = services(request)
    address = inputs.client_address(request, svc.settings.trusted_proxies)
    refused = scrape.refusal(
        svc.settings.metrics_token.reveal(), request.headers.get("authorization", ""), address
    )
    if refused is not None:
        return Response(refused[1], refused[0], media_type="text/plain")
    try:
        await svc.handoff.measure_queue()
    except Exception as exc:  # the store down: its error counter says so, the rest is served
        logger.warning("metrics.queue_unmeasured error=%s", type(exc).__name__)
    return Response(svc.metrics.exposition(), media_type=CONTENT_TYPE)


class CountResponses:
    """Counts each HTTP response by its status class (WebSockets are not counted)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope["app"].state
                found: Metrics | None = getattr(getattr(state, "services", None), "metrics", None)
                if found is not None:
                    found.http_responses.labels(status=status_class(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counting)
