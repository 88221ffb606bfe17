"""Web session records in a real redis-server (bot/shared/sessions.py): each "gateway"
is its own client and object, as two processes would have."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.sessions import WebSessions
from bot.shared.sessions import RedisSessionRecords
from peerpath.settings import Secret

pytestmark = pytest.mark.servers

pytest_plugins = ["tests.helpers.redis"]  # the redis_server and redis_url fixtures
IDLE = 60.0 * 60


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def two(redis_url: str) -> AsyncIterator[tuple[WebSessions, WebSessions, Clock]]:
    """Two gateways' WebSessions over one Redis, sharing a clock the test moves."""
    clock = Clock()
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    first, second = (
        WebSessions(Secret("s"), 60, RedisSessionRecords(c, IDLE, clock=clock), clock=clock)
        for c in clients
    )
    yield first, second, clock
    for c in clients:
        await c.aclose()


async def test_a_session_revoked_on_one_gateway_is_refused_on_the_other(two) -> None:
    first, second, _ = two
    token = first.issue()
    session = await second.check(token)
    assert session is not None
    await first.end(session)
    assert await second.check(token) is None
    assert await first.check(token) is None


async def test_a_use_on_one_gateway_keeps_the_session_alive_on_the_other(
    two, redis_url: str
) -> None:
    first, second, clock = two
    token = first.issue()
    clock.now += IDLE - 60
    assert await first.check(token) is not None  # used here, near the end of its time
    clock.now += 120  # its issue time alone would have ended it now
    assert await second.check(token) is not None, "the other gateway saw the use in Redis"
    async with Redis.from_url(redis_url) as redis:
        ttls = [await redis.pttl(key) async for key in redis.scan_iter("peerpath:session:*")]
    assert ttls and all(0 < ttl <= IDLE * 1000 for ttl in ttls), "records expire by themselves"


async def test_without_redis_a_gateway_judges_on_what_it_saw() -> None:
    clock = Clock()
    down = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    sessions = WebSessions(Secret("s"), 60, RedisSessionRecords(down, IDLE, clock=clock),
                           clock=clock)  # fmt: skip
    token = sessions.issue()
    session = await sessions.check(token)
    assert session is not None, "a fresh token still works while Redis is down"
    await sessions.end(session)
    assert await sessions.check(token) is None, "and a revocation still holds here"
    await down.aclose()
