"""The Redis client every shared part uses, and the breaker that skips it during an outage.

Shared state must never hold up a reply: the client has short timeouts and
few retries, and each caller gives Redis a small time budget of its own.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from peerpath.settings import Secret

logger = logging.getLogger(__name__)

PREFIX = "peerpath"
# What "Redis is unavailable" looks like from here: its own errors, the network's,
# and the time budget running out (asyncio.timeout raises TimeoutError).
UNAVAILABLE = (RedisError, OSError, TimeoutError)


def connect(url: Secret) -> Redis:
    """A client for REDIS_URL (nothing connects until the first command)."""
    return Redis.from_url(
        url.reveal(),
        socket_connect_timeout=1.0,
        socket_timeout=2.0,
        retry=Retry(ExponentialWithJitterBackoff(cap=0.2, base=0.01), retries=1),
        health_check_interval=30,
    )


# Failed Redis calls in this process, by what asked (GET /metrics reads them).
FAILURES: collections.Counter[str] = collections.Counter()


class Breaker:
    """After a failure, skip Redis for `pause` seconds; log an outage once, not per call."""

    def __init__(
        self, what: str, pause: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.what = what
        self.pause = pause
        self._clock = clock
        self._until = 0.0
        self._down = False

    @property
    def open(self) -> bool:
        """True while Redis should not be asked (it failed less than `pause` s ago)."""
        return self._clock() < self._until

    def failed(self, exc: BaseException) -> None:
        FAILURES[self.what] += 1
        self._until = self._clock() + self.pause
        if not self._down:
            self._down = True
            logger.warning("shared.unavailable what=%s error=%s", self.what, type(exc).__name__)

    def succeeded(self) -> None:
        if self._down:
            self._down = False
            logger.info("shared.recovered what=%s", self.what)
