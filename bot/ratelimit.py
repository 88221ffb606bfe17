"""Sliding-window rate limits: per person (every channel) and per client address (HTTP).

`hit(key)` counts one event and answers how long to wait (0 when allowed);
a refused event is not counted. In memory for one gateway process; with
REDIS_URL the limits are shared by every gateway (bot/shared/).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Limiter(Protocol):
    """At most `limit` events per `window` seconds for each key."""

    limit: int
    window: float

    async def hit(self, key: str) -> float:
        """Count one event for `key`: 0.0 if allowed, else seconds until it would be."""
        ...


class RateLimiter:
    """A Limiter in this process's memory."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = defaultdict(deque)

    async def hit(self, key: str) -> float:
        return self.hit_now(key)

    def hit_now(self, key: str) -> float:
        now = self._clock()
        events = self._events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return max(events[0] + self.window - now, 0.001)
        events.append(now)
        if len(self._events) > 100_000:  # forget idle keys now and then
            for idle in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
                del self._events[idle]
        return 0.0


@dataclass(frozen=True)
class Limits:
    """The gateway's limits: one person on any channel, and one client address."""

    person: Limiter
    address: Limiter
    new_sessions: Limiter
