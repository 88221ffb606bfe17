"""A real redis-server for the tests that need one (Debian's package, never assumed running).

A test module loads them with `pytest_plugins = ["tests.helpers.redis"]`:
`redis_server` starts one server for the session, `redis_url` empties it
for each test and gives its URL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from supervisor.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server on a free loopback port for the whole session."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test (keys, not pub/sub channels)."""
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url
