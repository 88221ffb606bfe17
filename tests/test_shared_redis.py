"""Shared state across gateways (bot/shared/) against a real redis-server: each
"gateway" is its own client and object, as two processes would have."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from starlette.testclient import TestClient

from bot import replays
from bot.app import create_app
from bot.channels.telegram import channel as telegram_channel
from bot.channels.telegram.channel import TelegramChannel
from bot.events import conversation
from bot.replays import RedisReplays
from bot.shared.events import RedisEventBus
from bot.shared.lease import Lease, LeaseKeeper
from bot.shared.limits import RedisLimiter
from bot.shared.payloads import TTL_SECONDS, SharedPayloads
from bot.shared.state import SharedState
from peerpath.errors import ConfigError
from peerpath.settings import Secret, Settings, TelegramConfig
from supervisor.redis_server import RedisServer, ping
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.gateway import session
from tests.helpers.net import free_port

pytestmark = pytest.mark.servers

pytest_plugins = ["tests.helpers.redis"]  # the redis_server and redis_url fixtures
SENTINEL = "person-key-never-logged"
ORIGIN = "https://coalition.example"


@pytest.fixture
async def gateways(redis_url: str) -> AsyncIterator[tuple[Redis, Redis]]:
    """Two clients of one Redis, one per pretend gateway."""
    first, second = Redis.from_url(redis_url), Redis.from_url(redis_url)
    yield first, second
    await first.aclose()
    await second.aclose()


async def drain(queue: asyncio.Queue[dict[str, Any]], wait: float = 0.3) -> list[dict[str, Any]]:
    """Everything that arrives on `queue` within `wait` seconds."""
    got = []
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        try:
            got.append(await asyncio.wait_for(queue.get(), left))
        except TimeoutError:
            break
    return got


async def eventually(predicate, timeout: float = 5.0, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


# --- the server ------------------------------------------------------------------------


def test_redis_server_starts_answers_and_stops(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis", appendonly=True)
    with server:
        assert ping(server.host, server.port)
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        pid = server.process.pid  # type: ignore[union-attr]
    assert not server.running
    assert not ping(server.host, server.port)
    cmdline = Path(f"/proc/{pid}/cmdline")
    assert not cmdline.exists() or b"redis" not in cmdline.read_bytes()
    assert (tmp_path / "redis" / "redis.conf").read_text().count("appendonly yes") == 1


def test_a_redis_server_that_cannot_start_leaves_nothing_behind(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    taken = RedisServer(tmp_path / "second", port=redis_server.port, start_timeout=5)
    with pytest.raises(RuntimeError, match="redis-server"):
        taken.start()
    assert taken.process is None
    assert ping(redis_server.host, redis_server.port)  # the first one is untouched


# --- settings -------------------------------------------------------------------------------


def test_redis_url_is_optional_secret_and_checked() -> None:
    assert Settings.from_env({}).redis_url is None
    url = "redis://:hunter2-password@redis.internal:6379/0"
    settings = Settings.from_env({"REDIS_URL": url})
    assert settings.redis_url == Secret(url)
    assert "hunter2" not in repr(settings)
    assert url in settings.secret_values()
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"REDIS_URL": "http://:hunter2-password@redis.internal"})
    assert refused.value.key == "REDIS_URL"
    assert "hunter2" not in str(refused.value)


# --- rate limits -----------------------------------------------------------------------------


async def test_two_gateways_share_one_budget(gateways) -> None:
    first, second = (RedisLimiter(redis, "person", limit=3, window=60) for redis in gateways)
    assert [await first.hit("telegram:a"), await second.hit("telegram:a")] == [0.0, 0.0]
    assert await first.hit("telegram:a") == 0.0
    assert 59 < await second.hit("telegram:a") <= 60
    assert 59 < await first.hit("telegram:a") <= 60
    assert await second.hit("telegram:b") == 0.0  # each key its own budget


async def test_refused_hits_are_not_counted_and_the_window_slides(gateways) -> None:
    first, second = (RedisLimiter(redis, "person", limit=2, window=1.0) for redis in gateways)
    assert await first.hit("web:x") == 0.0
    await asyncio.sleep(0.5)
    assert await second.hit("web:x") == 0.0
    waits = [await limiter.hit("web:x") for limiter in (first, second) * 5]
    assert all(0.3 < wait <= 0.5 for wait in waits)  # until the first event slides out
    await asyncio.sleep(waits[-1] + 0.05)
    # The first event has left the window, the second hasn't, the refused ten never counted.
    assert await first.hit("web:x") == 0.0
    assert 0.3 < await second.hit("web:x") <= 0.5


async def test_idle_keys_expire(gateways) -> None:
    limiter = RedisLimiter(gateways[0], "address", limit=5, window=2.0)
    await limiter.hit("10.0.0.1")
    ttl = await gateways[0].pttl("peerpath:rl:address:10.0.0.1")
    assert 0 < ttl <= 2000


async def test_redis_down_allows_and_logs_no_key(caplog: pytest.LogCaptureFixture) -> None:
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    limiter = RedisLimiter(down, "person", limit=1, window=60)
    caplog.set_level(logging.INFO)
    started = time.monotonic()
    assert [await limiter.hit(SENTINEL) for _ in range(5)] == [0.0] * 5
    assert time.monotonic() - started < 1.5
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per outage, not per message
    expected = "shared.unavailable what=ratelimit.person error=ConnectionError"
    assert warnings[0].getMessage() == expected
    assert all(SENTINEL not in r.getMessage() for r in caplog.records)
    await down.aclose()


async def test_a_slow_redis_allows_within_the_budget(gateways) -> None:
    limiter = RedisLimiter(gateways[0], "person", limit=1, window=60, budget=0.2)
    assert await limiter.hit("web:slow") == 0.0
    await gateways[1].execute_command("CLIENT", "PAUSE", "2000", "WRITE")  # scripts wait
    started = time.monotonic()
    assert await limiter.hit("web:slow") == 0.0  # over the limit, but Redis is too slow
    assert time.monotonic() - started < 0.5
    await gateways[1].execute_command("CLIENT", "UNPAUSE")


# --- live events ----------------------------------------------------------------------------


@pytest.fixture
async def buses(gateways) -> AsyncIterator[tuple[RedisEventBus, RedisEventBus]]:
    first, second = (RedisEventBus(redis) for redis in gateways)
    assert await first.start() and await second.start()
    yield first, second
    await first.aclose()
    await second.aclose()


async def test_an_event_reaches_every_subscriber_on_every_gateway_exactly_once(buses) -> None:
    first, second = buses
    async with first.subscribe("conv:c1") as here, second.subscribe("conv:c1") as there:
        assert first.publish("conv:c1", {"type": "push", "n": 1}) == 1  # the local one, now
        assert await drain(here) == [{"type": "push", "n": 1}]
        assert await drain(there) == [{"type": "push", "n": 1}]
        second.publish("conv:c1", {"type": "push", "n": 2})
        assert await drain(here) == [{"type": "push", "n": 2}]
        assert await drain(there) == [{"type": "push", "n": 2}]


async def test_events_keep_their_order_and_topics(buses) -> None:
    first, second = buses
    async with second.subscribe("staff") as staff, second.subscribe("conv:c2") as conv:
        for n in range(20):
            first.publish("staff", {"n": n})
        first.publish("conv:other", {"n": "elsewhere"})
        assert [e["n"] for e in await drain(staff, 0.5)] == list(range(20))
        assert await drain(conv, 0.1) == []
    assert second.listeners("staff") == 0


async def test_live_events_recover_after_a_redis_restart(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis", port=free_port()).start()
    first_client, second_client = Redis.from_url(server.url), Redis.from_url(server.url)
    first, second = RedisEventBus(first_client), RedisEventBus(second_client)
    try:
        assert await first.start() and await second.start()
        async with second.subscribe("staff") as queue:
            server.stop()
            first.publish("staff", {"n": "lost"})  # best effort: stays local
            server.start()
            got: list[dict[str, Any]] = []
            deadline = time.monotonic() + 10
            while not got and time.monotonic() < deadline:
                first.publish("staff", {"n": "after"})
                got = await drain(queue, 0.2)
            assert got and all(e == {"n": "after"} for e in got)
    finally:
        await first.aclose()
        await second.aclose()
        await first_client.aclose()
        await second_client.aclose()
        server.stop()


# --- Telegram button payloads -------------------------------------------------------------


async def test_a_button_from_one_gateway_works_on_another_after_a_restart(gateways) -> None:
    payload = '/ask_about{"topic": "a long payload that would never fit in 64 bytes of data"}'
    sender = SharedPayloads(gateways[0])
    key = sender.key(payload)
    assert len(key.encode()) <= 64
    await sender.save()
    restarted = SharedPayloads(gateways[1])  # a new process: nothing in memory
    assert restarted.payload(key) is None
    assert await restarted.find(key) == payload
    assert restarted.payload(key) == payload  # now cached here too
    assert await restarted.find("p:0000000000000000") is None
    ttl = await gateways[0].ttl(f"peerpath:tg:payload:{key}")
    assert TTL_SECONDS - 60 < ttl <= TTL_SECONDS


async def test_payloads_without_redis_still_work_where_they_were_sent() -> None:
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    payloads = SharedPayloads(down)
    key = payloads.key("/greet")
    await payloads.save()
    assert await payloads.find(key) == "/greet"
    assert await payloads.find("p:ffffffffffffffff") is None
    await down.aclose()


# --- the polling lease ----------------------------------------------------------------------


async def test_one_holder_at_a_time_and_a_release_hands_over(gateways) -> None:
    first, second = (Lease(redis, "poll", ttl=5) for redis in gateways)
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.acquire()  # already ours: renewed
    assert await first.release()
    assert await second.acquire()
    assert not await first.acquire()


async def test_an_expired_holder_cannot_renew_or_release_its_successor(gateways) -> None:
    stale, successor = Lease(gateways[0], "poll", ttl=0.3), Lease(gateways[1], "poll", ttl=5)
    assert await stale.acquire()
    assert not await successor.acquire()
    await asyncio.sleep(0.4)
    assert await successor.acquire()
    assert not await stale.renew()
    assert not await stale.release()
    assert await gateways[0].get(successor.key) == successor.token.encode()
    assert await successor.renew()


async def test_keepers_take_over_when_the_holder_stops_or_goes_silent(gateways) -> None:
    running: dict[str, bool] = {"a": False, "b": False}

    def keeper(name: str, redis: Redis) -> LeaseKeeper:
        async def gain() -> None:
            running[name] = True

        async def loss() -> None:
            running[name] = False

        return LeaseKeeper(Lease(redis, "poll", ttl=0.6), gain, loss, every=0.1)

    a, b = keeper("a", gateways[0]), keeper("b", gateways[1])
    await a.start()
    await b.start()
    assert running == {"a": True, "b": False}
    await asyncio.sleep(0.5)
    assert running == {"a": True, "b": False}  # a renews, b waits
    await a.aclose()  # a clean stop releases at once
    await eventually(lambda: running["b"], 1.0, "b to take over")
    assert running == {"a": False, "b": True}

    # b goes silent (a frozen process): its lease runs out and a fresh keeper takes over;
    # when b wakes up, its renewal fails and it stops.
    assert b._task is not None
    b._task.cancel()
    c = keeper("a", gateways[0])
    await c.start()
    await eventually(lambda: running["a"], 2.0, "a new holder after the expiry")
    await b.step()
    assert running == {"a": True, "b": False}
    await c.aclose()


# --- Telegram polling with two gateways -------------------------------------------------------


async def test_only_one_of_two_telegram_gateways_polls(
    gateways, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telegram_channel, "LEASE_TTL", 1.0)
    monkeypatch.setattr(telegram_channel, "LEASE_RENEW", 0.2)
    token = "123456:TEST-two-gateways"
    with FakeTelegram(token) as fake:
        config = TelegramConfig(token=Secret(token), api_url=fake.api_url)
        channels = [TelegramChannel(config), TelegramChannel(config)]
        for channel, redis in zip(channels, gateways, strict=True):
            await channel.application.initialize()
            await channel.poll(redis)

        def pollers() -> list[bool]:
            return [c.application.updater.running for c in channels]  # type: ignore[union-attr]

        assert pollers() == [True, False]
        await fake_polled(fake)
        await asyncio.sleep(0.6)  # several renewals: still one poller
        assert pollers() == [True, False]

        await channels[0].stop()  # the holder shuts down: the other takes over
        await eventually(lambda: pollers()[1], 2.0, "the second gateway to poll")
        before = len(fake.sent("getUpdates"))
        await eventually(lambda: len(fake.sent("getUpdates")) > before, 5.0, "getUpdates")
        await channels[1].stop()


async def fake_polled(fake: FakeTelegram) -> None:
    await eventually(lambda: fake.sent("getUpdates"), 5.0, "a getUpdates call")


# --- wiring ----------------------------------------------------------------------------------


async def test_shared_state_builds_redis_limits_from_settings(redis_url: str) -> None:
    settings = Settings.from_env({"REDIS_URL": redis_url, "RATE_LIMIT_PER_MINUTE": "7"})
    assert settings.redis_url is not None
    shared = await SharedState.open(settings.redis_url)
    try:
        limits = shared.limits(settings)
        assert isinstance(limits.person, RedisLimiter)
        assert (limits.person.limit, limits.person.window) == (7, 60.0)
        assert await limits.address.hit("127.0.0.1") == 0.0
    finally:
        await shared.aclose()


# --- two whole gateways ------------------------------------------------------------------------


@pytest.fixture
def two_gateways(
    redis_url: str, test_env: dict[str, str], tmp_path: Path, small_index, safety_net
) -> Iterator[tuple[TestClient, TestClient]]:
    """Two gateway apps sharing one Redis (and one session secret), Rasa down."""
    env = {**test_env, "REDIS_URL": redis_url, "RATE_LIMIT_PER_MINUTE": "3",
           "ALLOWED_ORIGINS": ORIGIN}  # fmt: skip
    apps = [
        create_app(Settings.from_env({**env, "VAR_DIR": str(tmp_path / name)}),
                   index=small_index, safety=safety_net)
        for name in ("one", "two")
    ]  # fmt: skip
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield first, second


def test_a_person_alternating_between_gateways_has_one_rate_limit(two_gateways) -> None:
    first, second = two_gateways
    person = session(first, "alternating")
    codes = [
        client.post("/api/chat", json={"text": "hi"}, headers=person).status_code
        for client in (first, second, first, second)
    ]
    assert codes == [503, 503, 503, 429]  # Rasa is down here: calm 503s, then one budget


def test_a_push_on_one_gateway_reaches_a_screen_on_the_other(two_gateways) -> None:
    first, second = two_gateways
    with second.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "hello", "session": None})
        token = ws.receive_json()["session"]
        conv = second.app.state.services.conversations.conversation_id("web", token.split(".")[0])
        push = {"type": "push", "messages": [{"text": "A peer replied."}]}
        bus = first.app.state.services.bus
        assert first.portal is not None
        first.portal.call(bus.publish, conversation(conv), push)
        assert ws.receive_json() == push


# --- replies kept for a retried message (bot/replays.py) --------------------------------------


async def test_a_message_id_is_claimed_by_one_gateway_and_its_reply_seen_by_both(
    gateways,
) -> None:
    one, other = RedisReplays(gateways[0]), RedisReplays(gateways[1])
    assert (await one.claim("conv-a", "m1")).mine
    waiting = await other.claim("conv-a", "m1")
    assert not waiting.mine and waiting.reply is None, "the first try is still running"
    await one.keep("conv-a", "m1", {"messages": [{"text": "Peers earn about $16.76."}]})
    assert (await other.claim("conv-a", "m1")).reply == {
        "messages": [{"text": "Peers earn about $16.76."}]
    }
    assert (await other.claim("conv-b", "m1")).mine, "ids are per conversation"


async def test_a_claim_whose_gateway_died_runs_out_and_the_retry_takes_it(
    gateways, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replays, "CLAIM_TTL_S", 0.3)
    one, other = RedisReplays(gateways[0]), RedisReplays(gateways[1])
    assert (await one.claim("conv-a", "m2")).mine  # ...and that gateway is killed
    assert not (await other.claim("conv-a", "m2")).mine
    await asyncio.sleep(0.4)
    assert (await other.claim("conv-a", "m2")).mine


async def test_forgetting_a_conversation_erases_its_kept_replies_only(gateways) -> None:
    store = RedisReplays(gateways[0])
    for conv, key in (("conv-a", "m1"), ("conv-a", "m2"), ("conv-b", "m1")):
        await store.claim(conv, key)
        await store.keep(conv, key, {"messages": []})
    assert await store.forget("conv-a") == 2
    assert (await store.claim("conv-a", "m1")).mine
    assert (await store.claim("conv-b", "m1")).reply == {"messages": []}


async def test_with_redis_down_every_try_runs_and_nothing_waits() -> None:
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    store = RedisReplays(down)
    started = time.monotonic()
    assert (await store.claim("conv-a", "m1")).mine
    await store.keep("conv-a", "m1", {"messages": []})
    assert (await store.claim("conv-a", "m1")).mine
    assert time.monotonic() - started < 1.5
    await down.aclose()
