"""Sliding-window rate limits in Redis, shared by every gateway (the `Limiter` protocol).

One sorted set per key, scored by the time of each allowed event; a Lua
script trims it, counts it and adds to it in one step, so two gateways can't
both let the last event through. Times come from Redis's own clock, so
gateways whose clocks disagree still share one window. Idle keys expire.

Availability beats rate limiting: when Redis is down or slow the event is
allowed (a crisis message never waits on Redis), and the outage is logged
once, by kind only, never with the key.
"""

from __future__ import annotations

import asyncio
import secrets

from redis.asyncio import Redis

from bot.shared.client import PREFIX, UNAVAILABLE, Breaker

# KEYS[1] the key; ARGV: limit, window (µs), a unique member for this event.
# Returns 0 when allowed, else the microseconds until it would be.
HIT = """
local now_s = redis.call('TIME')
local now = tonumber(now_s[1]) * 1000000 + tonumber(now_s[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(tonumber(oldest[2]) + window - now, 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return 0
"""


class RedisLimiter:
    """At most `limit` events per `window` seconds for each key, across gateways."""

    def __init__(
        self,
        redis: Redis,
        name: str,
        limit: int,
        window: float = 60.0,
        *,
        budget: float = 0.5,
        prefix: str = PREFIX,
    ) -> None:
        self.limit = limit
        self.window = window
        self.budget = budget  # seconds Redis gets before the event is allowed anyway
        self._prefix = f"{prefix}:rl:{name}:"
        self._script = redis.register_script(HIT)
        self._breaker = Breaker(f"ratelimit.{name}")

    async def hit(self, key: str) -> float:
        """Count one event for `key`: 0.0 if allowed, else seconds until it would be."""
        if self._breaker.open:
            return 0.0
        member = secrets.token_hex(8)  # two events in one microsecond stay two events
        try:
            async with asyncio.timeout(self.budget):
                wait = await self._script(
                    keys=[self._prefix + key],
                    args=[self.limit, round(self.window * 1_000_000), member],
                )
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
            return 0.0
        self._breaker.succeeded()
        return int(wait) / 1_000_000
