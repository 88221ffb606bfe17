"""The live event bus across gateways: local queues, plus Redis pub/sub between processes.

A `RedisEventBus` is an `EventBus` (bot/events.py) whose events also
reach subscribers on other gateways: `publish` hands the event to this
process's subscribers at once, as before, and queues it for Redis; one
sender task publishes queued events in order, and one reader task per
process hands events from other gateways to local subscribers. Each bus
stamps its events with a random origin id and skips its own when they come
back, so nobody gets an event twice.

Every gateway hears every event on one channel: live events are few (hand-off
news and peer replies), and one subscription per process survives Redis
restarts more simply than one per topic. Best effort, like EventBus: while
Redis is unreachable events stay local, and screens reload their state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

from bot.events import EventBus
from bot.shared.client import PREFIX, UNAVAILABLE, Breaker

logger = logging.getLogger(__name__)
OUTGOING_SIZE = 1000  # events waiting for Redis; beyond that they stay local
RECONNECT_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


class RedisEventBus(EventBus):
    """Topics of bounded queues in this process, joined to other gateways through Redis."""

    def __init__(self, redis: Redis, queue_size: int = 100, *, prefix: str = PREFIX) -> None:
        super().__init__(queue_size)
        self.origin = secrets.token_hex(8)
        self.channel = f"{prefix}:events"
        self._redis = redis
        self._outgoing: asyncio.Queue[bytes] = asyncio.Queue(OUTGOING_SIZE)
        self._sender: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._send_breaker = Breaker("events.publish")
        self._read_breaker = Breaker("events.subscribe")

    def publish(self, topic: str, event: dict[str, Any]) -> int:
        """Hand `event` to this process's subscribers now and to other gateways soon.

        Returns how many subscribers in this process got it.
        """
        delivered = super().publish(topic, event)
        try:
            message = json.dumps({"origin": self.origin, "topic": topic, "event": event})
            self._outgoing.put_nowait(message.encode())
        except (TypeError, ValueError):
            logger.warning("events.not_json topic_kind=%s", topic.partition(":")[0])
            return delivered
        except asyncio.QueueFull:
            pass  # Redis is far behind: other gateways' screens reload when they catch up
        with contextlib.suppress(RuntimeError):  # no running loop: it goes with the next one
            self._ensure_sender()
        return delivered

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        self._ensure_reader()
        async with super().subscribe(topic) as queue:
            yield queue

    async def start(self, wait: float = 2.0) -> bool:
        """Start the reader and wait up to `wait` s for its subscription; True once subscribed."""
        self._ensure_reader()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._subscribed.wait()
        return self._subscribed.is_set()

    async def aclose(self) -> None:
        """Stop the reader and the sender (events still queued for Redis are dropped)."""
        for task in (self._reader, self._sender):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._reader = self._sender = None

    # --- tasks ----------------------------------------------------------------

    def _ensure_sender(self) -> None:
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(
                self._send(), name="events-publish"
            )

    def _ensure_reader(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(
                self._read(), name="events-subscribe"
            )

    async def _send(self) -> None:
        """Publish queued events one by one, in the order they were published here."""
        while True:
            message = await self._outgoing.get()
            if self._send_breaker.open:
                continue  # Redis failed a moment ago: this one stays local
            try:
                await self._redis.publish(self.channel, message)
            except UNAVAILABLE as exc:
                self._send_breaker.failed(exc)
            else:
                self._send_breaker.succeeded()

    async def _read(self) -> None:
        """Hand other gateways' events to local subscribers; resubscribe after Redis fails."""
        failures = 0
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._subscribed.set()
                self._read_breaker.succeeded()
                failures = 0
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None and message.get("type") == "message":
                        self._receive(message["data"])
            except UNAVAILABLE as exc:
                self._subscribed.clear()
                self._read_breaker.failed(exc)
            finally:
                with contextlib.suppress(*UNAVAILABLE):
                    await pubsub.aclose()
            await asyncio.sleep(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
            failures += 1

    def _receive(self, data: bytes) -> None:
        try:
            message = json.loads(data)
            origin, topic, event = message["origin"], message["topic"], message["event"]
        except (ValueError, KeyError, TypeError):
            logger.warning("events.unreadable")
            return
        if origin != self.origin and isinstance(topic, str) and isinstance(event, dict):
            super().publish(topic, event)
