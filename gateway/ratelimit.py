"""A per-key sliding-window rate limit (in memory, per gateway process)."""

from __future__ import annotations

import time
from collections import defaultdict, deque


class RateLimiter:
    """At most `limit` events per `window` seconds for each key."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False (and not counted) if over the limit."""
        now = self._clock()
        events = self._events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        if len(self._events) > 100_000:  # forget idle keys now and then
            for idle in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
                del self._events[idle]
        return True

    def retry_after(self, key: str) -> float:
        events = self._events.get(key)
        if not events:
            return 0.0
        return max(0.0, events[0] + self.window - self._clock())
