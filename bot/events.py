"""In-process publish/subscribe for live screens (web widget, staff console).

Best effort by design: a screen that misses an event reloads its state from
the gateway's API; nothing that must arrive travels only here (the outbox
and the ticket store are the record).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

STAFF = "staff"


def conversation(conv_id: str) -> str:
    return f"conv:{conv_id}"


class EventBus:
    """Topics of bounded queues, one queue per subscriber."""

    def __init__(self, queue_size: int = 100) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._queue_size = queue_size

    def publish(self, topic: str, event: dict[str, Any]) -> int:
        """Hand `event` to every subscriber of `topic`; returns how many got it."""
        delivered = 0
        for queue in list(self._subscribers.get(topic, ())):
            try:
                queue.put_nowait(event)
                delivered += 1
            except asyncio.QueueFull:
                pass  # a stuck screen reloads its state when it catches up
        return delivered

    def listeners(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._queue_size)
        self._subscribers[topic].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[topic].discard(queue)
            if not self._subscribers[topic]:
                del self._subscribers[topic]
