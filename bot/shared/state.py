"""What one gateway shares with the others through Redis (REDIS_URL), opened and closed together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.ratelimit import Limits
from bot.shared.client import connect
from bot.shared.events import RedisEventBus
from bot.shared.limits import RedisLimiter
from bot.shared.sessions import RedisSessionRecords
from peerpath.settings import Secret, Settings

logger = logging.getLogger(__name__)


@dataclass
class SharedState:
    """One Redis client, and the live event bus that keeps a subscription on it."""

    redis: Redis
    bus: RedisEventBus

    @classmethod
    async def open(cls, url: Secret) -> SharedState:
        """Connect and subscribe; a Redis that's down now is retried, not fatal."""
        redis = connect(url)
        bus = RedisEventBus(redis)
        if await bus.start():
            logger.info("shared.ready")
        else:
            logger.warning("shared.not_ready_at_start")  # the bus keeps trying meanwhile
        return cls(redis, bus)

    def limits(self, settings: Settings) -> Limits:
        """The gateway's limits, counted in Redis so every gateway shares each budget."""
        return Limits(
            person=RedisLimiter(self.redis, "person", settings.rate_limit_per_minute),
            address=RedisLimiter(self.redis, "address", settings.rate_limit_per_address),
            new_sessions=RedisLimiter(self.redis, "new_sessions", settings.sessions_per_address),
        )

    def session_records(self, settings: Settings) -> RedisSessionRecords:
        """Web sessions' last uses and revocations, known to every gateway."""
        return RedisSessionRecords(self.redis, settings.session_idle_minutes * 60.0)

    async def answers(self) -> bool:
        """Whether Redis answers a PING now."""
        try:
            return bool(await self.redis.ping())
        except Exception:  # any failure means: not now (the caller only reports it)
            return False

    async def aclose(self) -> None:
        await self.bus.aclose()
        await self.redis.aclose()
