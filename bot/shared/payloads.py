"""Telegram button payloads in Redis, so a button works after a restart or on another gateway.

Keys stay what they are in memory: a hash of the payload, so every gateway
gives one payload the same key. Rendering stays synchronous (`key()` only
remembers what to save); the channel awaits `save()` before it sends the
message, so by the time anyone can tap a button its payload is in Redis.
The local memory stays in front as a cache. Without Redis a button still
works on the gateway that sent it, and an unknown one says it has expired.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.channels.telegram.format import PAYLOAD_PREFIX, Payloads
from bot.shared.client import PREFIX, UNAVAILABLE, Breaker

TTL_SECONDS = 30 * 24 * 3600


class SharedPayloads(Payloads):
    """Payloads kept in this process's memory and, for `ttl` seconds, in Redis."""

    def __init__(
        self,
        redis: Redis,
        capacity: int = 20_000,
        *,
        ttl: int = TTL_SECONDS,
        budget: float = 0.5,
        prefix: str = PREFIX,
    ) -> None:
        super().__init__(capacity)
        self.ttl = ttl
        self.budget = budget
        self._redis = redis
        self._prefix = f"{prefix}:tg:payload:"
        self._unsaved: dict[str, str] = {}
        self._breaker = Breaker("telegram.payloads")

    def key(self, payload: str) -> str:
        key = super().key(payload)
        self._unsaved[key] = payload
        return key

    async def save(self) -> None:
        """Write the keys handed out since the last save (each write renews its TTL)."""
        if not self._unsaved:
            return
        unsaved, self._unsaved = self._unsaved, {}
        if self._breaker.open:
            return  # they still work here; elsewhere they'll say they have expired
        try:
            async with asyncio.timeout(self.budget):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for key, payload in unsaved.items():
                        pipe.set(self._prefix + key, payload, ex=self.ttl)
                    await pipe.execute()
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
        else:
            self._breaker.succeeded()

    async def find(self, key: str) -> str | None:
        """The payload for a tapped key: from memory, else from Redis (then kept in memory)."""
        payload = self.payload(key)
        if payload is not None or self._breaker.open or not _well_formed(key):
            return payload
        try:
            async with asyncio.timeout(self.budget):
                stored = await self._redis.get(self._prefix + key)
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
            return None
        self._breaker.succeeded()
        if stored is None:
            return None
        payload = stored.decode() if isinstance(stored, bytes) else str(stored)
        if super().key(payload) != key:  # not ours: a hash that doesn't match its payload
            return None
        return payload


def _well_formed(key: str) -> bool:
    """Only keys this module hands out are looked up (callback data can be forged)."""
    return key.startswith(PAYLOAD_PREFIX) and len(key) <= 64
