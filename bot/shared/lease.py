"""A lease in Redis: one gateway at a time does a job (Telegram long polling).

`Lease` is the Redis side: taken with SET NX PX and a random holder token,
renewed and released by Lua scripts that first check the token, so a holder
whose lease has run out can neither renew nor release its successor's.
`LeaseKeeper` is the gateway side: it tries to take the lease, renews it
while it holds it, and calls `on_gain`/`on_loss` as that changes.

While Redis can't be reached, each gateway keeps doing what it was doing:
the holder keeps polling (nobody else can take the lease from an unreachable
Redis either), and a gateway that sees the lease taken by another stops at
once. Telegram itself refuses a second poller (409), so an overlap during a
network split is noisy, not harmful.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from bot.shared.client import PREFIX, UNAVAILABLE, Breaker

logger = logging.getLogger(__name__)
STOP_WAIT = 10.0  # seconds a closing keeper waits for its renewal task

# KEYS[1] the lease; ARGV: the holder's token, the new TTL in ms.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS[1] the lease; ARGV[1] the holder's token.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Lease:
    """A named lease in Redis, held by at most one token at a time for `ttl` seconds."""

    def __init__(self, redis: Redis, name: str, ttl: float = 15.0, *, prefix: str = PREFIX):
        self.name = name
        self.key = f"{prefix}:lease:{name}"
        self.ttl = ttl
        self.token = secrets.token_hex(16)
        self._redis = redis
        self._renew = redis.register_script(RENEW)
        self._release = redis.register_script(RELEASE)

    @property
    def _ttl_ms(self) -> int:
        return max(round(self.ttl * 1000), 1)

    async def acquire(self) -> bool:
        """Take the lease if nobody holds it (or keep it if we do); True when it's ours."""
        if await self._redis.set(self.key, self.token, nx=True, px=self._ttl_ms):
            return True
        return await self.renew()

    async def renew(self) -> bool:
        """Extend the lease for another `ttl`; False when it's no longer ours."""
        return bool(await self._renew(keys=[self.key], args=[self.token, self._ttl_ms]))

    async def release(self) -> bool:
        """Give the lease up; False when it wasn't ours (any more)."""
        return bool(await self._release(keys=[self.key], args=[self.token]))


class LeaseKeeper:
    """Holds a lease while it can, and says when that changes.

    `start()` tries once at once (a lone gateway doesn't wait), then every
    `every` seconds: the holder renews, the others try to take over, which
    succeeds once the holder has released the lease or let it run out.
    """

    def __init__(
        self,
        lease: Lease,
        on_gain: Callable[[], Awaitable[None]],
        on_loss: Callable[[], Awaitable[None]],
        every: float = 5.0,
    ) -> None:
        self.lease = lease
        self.every = every
        self.held = False
        self._on_gain = on_gain
        self._on_loss = on_loss
        self._task: asyncio.Task[None] | None = None
        self._breaker = Breaker(f"lease.{lease.name}")

    async def start(self) -> None:
        await self.step()
        self._task = asyncio.create_task(self._run(), name=f"lease-{self.lease.name}")

    async def aclose(self) -> None:
        """Stop trying; if the lease is ours, stop its job and release it for the next holder."""
        if self._task is not None:
            self._task.cancel()
            # bounded: a job that swallows the cancellation must not hold a shutdown forever
            done, _ = await asyncio.wait({self._task}, timeout=STOP_WAIT)
            if not done:
                logger.warning("lease.stop_slow name=%s", self.lease.name)
            self._task = None
        if self.held:
            await self._lose()
            with contextlib.suppress(*UNAVAILABLE):
                await self.lease.release()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            await self.step()

    async def step(self) -> None:
        """Renew or try to take the lease once, and start or stop the job to match."""
        try:
            # acquire() renews a lease we hold, and takes it back if Redis lost it (a restart)
            ours = await self.lease.acquire()
        except UNAVAILABLE as exc:
            self._breaker.failed(exc)
            return  # keep doing what we were doing (see the module docstring)
        self._breaker.succeeded()
        if ours and not self.held:
            await self._gain()
        elif not ours and self.held:
            await self._lose()

    async def _gain(self) -> None:
        self.held = True
        logger.info("lease.gained name=%s", self.lease.name)
        try:
            await self._on_gain()
        except Exception as exc:
            # The job didn't start: let another gateway have a go.
            logger.warning("lease.start_failed name=%s error=%s", self.lease.name,
                           type(exc).__name__)  # fmt: skip
            self.held = False
            with contextlib.suppress(*UNAVAILABLE):
                await self.lease.release()

    async def _lose(self) -> None:
        self.held = False
        logger.info("lease.lost name=%s", self.lease.name)
        try:
            await self._on_loss()
        except Exception as exc:
            logger.warning("lease.stop_failed name=%s error=%s", self.lease.name,
                           type(exc).__name__)  # fmt: skip
