"""How the gateway is served: uvicorn, with limits no client can pass, and quiet logs.

uvicorn's own options come first: h11 (whose `h11_max_incomplete_event_size`
bounds the request head; httptools has no such bound), `limit_concurrency` for
all open connections, and `timeout_keep_alive` for idle ones. uvicorn has no
deadline for a request's headers, so `HeaderDeadline` adds one to its h11
protocol; the body's deadline and the WebSocket caps are ASGI middleware
(bot/http/limits.py).

uvicorn logs each WebSocket handshake with its full URL, and the query string
can carry a token: `NoQueryStrings` drops it from uvicorn's log records.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from peerpath.settings import Settings

logger = logging.getLogger(__name__)
UVICORN_LOGGERS = ("uvicorn.error", "uvicorn.access")
# A path, then "?" and anything up to the next quote or space: the query part.
_QUERY = re.compile(r"(/[^\s\"?]*)\?[^\s\"]*")


class NoQueryStrings(logging.Filter):
    """Removes the query part from any URL in a record (uvicorn's access lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _QUERY.sub(r"\1", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str) and not record.args:
            record.msg = _QUERY.sub(r"\1", record.msg)
        return True


def quiet_uvicorn_logs() -> None:
    """Install `NoQueryStrings` on uvicorn's loggers (an entry point calls this once)."""
    for name in UVICORN_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, NoQueryStrings) for f in target.filters):
            target.addFilter(NoQueryStrings())


class HeaderDeadline(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is too slow.

    The clock starts when the connection opens, or at the first byte of the next
    request on a kept-alive one (uvicorn's keep-alive timeout covers the silence
    before that byte), and stops when the head is complete.
    """

    header_timeout: float = 5.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._stop_head_timer()
        super().handle_websocket_upgrade(event)

    def _watch_head(self) -> None:
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not waiting:
            self._stop_head_timer()
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            logger.info("http.header_timeout seconds=%g", self.header_timeout)
            self.transport.close()


def config(settings: Settings, app: ASGIApp, **overrides: Any) -> uvicorn.Config:
    """uvicorn's configuration for the gateway, its limits from `settings.connections`."""
    limits = settings.connections
    protocol = type("GatewayH11", (HeaderDeadline,), {"header_timeout": limits.header_timeout})
    options: dict[str, Any] = dict(
        host=settings.gateway_host,
        port=settings.gateway_port,
        http=protocol,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        limit_concurrency=limits.max_connections,
        timeout_keep_alive=5,
        ws_max_size=1024 * 1024,  # a chat frame is at most 64 KB (bot/http/inputs.py)
        access_log=False,  # request lines carry query strings; see NoQueryStrings too
        log_config=None,
        proxy_headers=False,
    )
    options.update(overrides)
    return uvicorn.Config(app, **options)


def run(settings: Settings, app: ASGIApp) -> None:
    """Serve `app` until the process is told to stop."""
    quiet_uvicorn_logs()
    uvicorn.Server(config(settings, app)).run()
