"""A message sent twice is answered once: replies kept by the client's message id.

A client that lost its answer (a gateway killed mid-request, a WebSocket that
dropped, Telegram handing an update to the next poller) sends the same message
again with the same `message_id`. The first gateway to see the id claims it;
once it has answered, the reply is kept for `REPLY_TTL_S` and a retry gets that
reply instead of a second turn. A retry that arrives while the first try is
still running waits for it; if the first try's gateway died, its claim runs out
after `CLAIM_TTL_S` and the retry runs the turn itself.

Two stores with one shape: in this process's memory (one gateway), and in
Redis (every gateway of a cluster). Redis failing never holds a message up:
the turn runs as if the id were new. Replies are kept by pseudonymous
conversation id, briefly, and erased with the conversation (/api/forget).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.shared.client import PREFIX, UNAVAILABLE, Breaker

REPLY_TTL_S = 300.0  # a retry comes within seconds; five minutes covers a slow reconnect
CLAIM_TTL_S = 30.0  # longer than any turn (Rasa's own timeout is shorter)
MESSAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,80}")
_PENDING = "pending"


@dataclass(frozen=True)
class Claim:
    """What a message id holds: the kept reply, or whether this try may run the turn."""

    mine: bool = False
    reply: dict[str, Any] | None = None


class Replays(Protocol):
    async def claim(self, conv: str, message_id: str) -> Claim: ...

    async def keep(self, conv: str, message_id: str, reply: dict[str, Any]) -> None: ...

    async def release(self, conv: str, message_id: str) -> None: ...

    async def forget(self, conv: str) -> int: ...


class MemoryReplays:
    """Replies kept in this process (one gateway)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}

    def _live(self, key: tuple[str, str]) -> tuple[float, dict[str, Any] | None] | None:
        now = self._clock()
        for old in [k for k, (until, _) in self._entries.items() if until <= now]:
            del self._entries[old]
        return self._entries.get(key)

    async def claim(self, conv: str, message_id: str) -> Claim:
        entry = self._live((conv, message_id))
        if entry is None:
            self._entries[(conv, message_id)] = (self._clock() + CLAIM_TTL_S, None)
            return Claim(mine=True)
        return Claim(reply=entry[1])

    async def keep(self, conv: str, message_id: str, reply: dict[str, Any]) -> None:
        self._entries[(conv, message_id)] = (self._clock() + REPLY_TTL_S, reply)

    async def release(self, conv: str, message_id: str) -> None:
        self._entries.pop((conv, message_id), None)

    async def forget(self, conv: str) -> int:
        gone = [key for key in self._entries if key[0] == conv]
        for key in gone:
            del self._entries[key]
        return len(gone)


class RedisReplays:
    """Replies kept in Redis, seen by every gateway (SET NX claims, TTLs expire them)."""

    def __init__(self, redis: Redis, *, budget: float = 0.5, prefix: str = PREFIX) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:reply:"
        self.budget = budget
        self._breaker = Breaker("replays")

    def _key(self, conv: str, message_id: str) -> str:
        return f"{self._prefix}{conv}:{message_id}"

    async def claim(self, conv: str, message_id: str) -> Claim:
        if self._breaker.open:
            return Claim(mine=True)
        key = self._key(conv, message_id)
        try:
            async with asyncio.timeout(self.budget):
                if await self._redis.set(key, _PENDING, nx=True, px=round(CLAIM_TTL_S * 1000)):
                    self._breaker.succeeded()
                    return Claim(mine=True)
                held = await self._redis.get(key)
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
            return Claim(mine=True)
        self._breaker.succeeded()
        if held is None:  # it ran out between the two calls: ask again
            return Claim()
        text = held.decode() if isinstance(held, bytes) else str(held)
        return Claim() if text == _PENDING else Claim(reply=json.loads(text))

    async def keep(self, conv: str, message_id: str, reply: dict[str, Any]) -> None:
        await self._write(conv, message_id, json.dumps(reply, ensure_ascii=False))

    async def release(self, conv: str, message_id: str) -> None:
        await self._write(conv, message_id, None)

    async def _write(self, conv: str, message_id: str, value: str | None) -> None:
        if self._breaker.open:
            return
        key = self._key(conv, message_id)
        try:
            async with asyncio.timeout(self.budget):
                if value is None:
                    await self._redis.delete(key)
                else:
                    await self._redis.set(key, value, px=round(REPLY_TTL_S * 1000))
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
        else:
            self._breaker.succeeded()

    async def forget(self, conv: str) -> int:
        try:
            async with asyncio.timeout(self.budget * 4):
                keys = [k async for k in self._redis.scan_iter(match=f"{self._prefix}{conv}:*")]
                return int(await self._redis.delete(*keys)) if keys else 0
        except UNAVAILABLE as exc:  # they expire within REPLY_TTL_S all the same
            self._breaker.failed(exc)
            return 0
