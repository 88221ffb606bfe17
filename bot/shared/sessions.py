"""Web session records in Redis, so every gateway knows when a session was last used
and that it was revoked (the `SessionRecords` of bot/sessions.py).

Two keys per session, each living the idle expiry (Redis's own TTL is the idle
clock): `seen`, renewed by every use, and `revoked`, written by /api/forget or
"Start over". A Lua script checks and renews in one step, so a use racing a
revocation can't bring the session back.

This process's memory stays in front: a revocation is remembered here at once,
and when Redis is down or slow a session is judged on what this gateway saw
(a session last used on another gateway may then be refused as idle: the widget
starts a new one). The outage is logged once, by kind only, never with an id.
"""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from bot.sessions import Clock, MemoryRecords
from bot.shared.client import PREFIX, UNAVAILABLE, Breaker

# KEYS: the revoked key, the seen key; ARGV: the TTL (ms), "1" when the token is fresh.
# Returns 1 (live, and its use renewed), 0 (idle too long) or -1 (revoked).
USE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
if ARGV[2] == '1' or redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
  return 1
end
return 0
"""


class RedisSessionRecords:
    """Session records shared by every gateway, each kept `ttl` seconds after its last write."""

    def __init__(
        self,
        redis: Redis,
        ttl: float,
        *,
        budget: float = 0.5,
        prefix: str = PREFIX,
        clock: Clock = time.time,
    ) -> None:
        self.ttl = ttl
        self.budget = budget  # seconds Redis gets before this gateway judges alone
        self._redis = redis
        self._prefix = f"{prefix}:session:"
        self._script = redis.register_script(USE)
        self._local = MemoryRecords(ttl, clock)
        self._breaker = Breaker("sessions")

    def _keys(self, session: str) -> list[str]:
        return [f"{self._prefix}revoked:{session}", f"{self._prefix}seen:{session}"]

    def ended_here(self, session: str, fresh: bool) -> bool:
        return self._local.ended_here(session, fresh)

    async def use(self, session: str, fresh: bool) -> bool:
        if self._local.revoked(session):
            return False
        if self._breaker.open:
            return await self._local.use(session, fresh)
        try:
            async with asyncio.timeout(self.budget):
                answer = await self._script(
                    keys=self._keys(session),
                    args=[max(1, round(self.ttl * 1000)), "1" if fresh else "0"],
                )
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
            return await self._local.use(session, fresh)
        self._breaker.succeeded()
        if int(answer) == 1:
            self._local.touch(session)
            return True
        if int(answer) == -1:
            self._local.mark_revoked(session)
        return False

    async def revoke(self, session: str) -> None:
        self._local.mark_revoked(session)
        if self._breaker.open:
            return  # refused here; elsewhere the session still ends after its idle expiry
        revoked, seen = self._keys(session)
        try:
            async with asyncio.timeout(self.budget):
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.set(revoked, "1", px=max(1, round(self.ttl * 1000)))
                    pipe.delete(seen)
                    await pipe.execute()
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
        else:
            self._breaker.succeeded()
