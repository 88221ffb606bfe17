"""Specs for sending each conversation to one Rasa replica (bot/rasa/router.py).

Real RasaClients over httpx's MockTransport: each replica answers with its own
name, or refuses connections as a stopped server does.
"""

from __future__ import annotations

import collections
import json

import httpx
import pytest

from bot.rasa.client import RasaClient
from bot.rasa.router import RasaRouter, order, rasa_for
from peerpath.errors import RasaUnavailable
from peerpath.protocol import MessageMeta
from peerpath.settings import Secret, Settings

REPLICAS = ["http://rasa-0:5005", "http://rasa-1:5005", "http://rasa-2:5005"]


def replicas(down: set[str] = frozenset(), slow: set[str] = frozenset()) -> RasaRouter:
    def answer(request: httpx.Request) -> httpx.Response:
        name = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        if name in down:
            raise httpx.ConnectError("connection refused", request=request)
        if name in slow:
            raise httpx.ReadTimeout("slow", request=request)
        sender = json.loads(request.content)["sender"]
        return httpx.Response(200, json=[{"recipient_id": sender, "text": name}])

    transport = httpx.MockTransport(answer)
    return RasaRouter([RasaClient(url, Secret(""), 5.0, transport=transport) for url in REPLICAS])


async def replica_of(router: RasaRouter, conv: str) -> str:
    [reply] = await router.send(conv, "hi", MessageMeta(channel="web"))
    return reply["text"]


async def test_a_conversation_always_reaches_the_same_replica() -> None:
    first, second = replicas(), replicas()  # two gateways
    for n in range(50):
        conv = f"conv-{n}"
        assert await replica_of(first, conv) == await replica_of(second, conv)
        assert await replica_of(first, conv) == await replica_of(first, conv)


async def test_conversations_spread_over_the_replicas() -> None:
    router = replicas()
    counts = collections.Counter([await replica_of(router, f"c{n}") for n in range(600)])
    assert set(counts) == set(REPLICAS)
    assert min(counts.values()) > 600 / len(REPLICAS) * 0.7


async def test_a_replica_down_moves_only_its_conversations_and_they_come_back() -> None:
    convs = [f"c{n}" for n in range(200)]
    healthy = replicas()
    home = {c: await replica_of(healthy, c) for c in convs}
    router = replicas(down={REPLICAS[1]})
    moved = {c: await replica_of(router, c) for c in convs}
    for conv in convs:
        if home[conv] == REPLICAS[1]:
            assert moved[conv] != REPLICAS[1]
        else:
            assert moved[conv] == home[conv], "conversations on healthy replicas stay put"


async def test_a_slow_replica_is_not_skipped_the_timeout_is_reported() -> None:
    router = replicas(slow=set(REPLICAS))
    with pytest.raises(RasaUnavailable, match="in time"):
        await router.send("c1", "hi", MessageMeta(channel="web"))


async def test_every_replica_down() -> None:
    router = replicas(down=set(REPLICAS))
    with pytest.raises(RasaUnavailable):
        await router.send("c1", "hi", MessageMeta(channel="web"))
    assert router.looks_down


def test_adding_a_replica_moves_about_a_share_of_conversations() -> None:
    convs = [f"c{n}" for n in range(3000)]
    before = {c: REPLICAS[order(REPLICAS, c)[0]] for c in convs}
    more = [*REPLICAS, "http://rasa-3:5005"]
    after = {c: more[order(more, c)[0]] for c in convs}
    moved = [c for c in convs if before[c] != after[c]]
    assert all(after[c] == more[3] for c in moved), "only to the new replica"
    assert 0.15 < len(moved) / len(convs) < 0.35


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({}, RasaClient),
        ({"RASA_URLS": ",".join(REPLICAS[:2]),
          "ACTION_SERVER_URLS": "http://rasa-0:5055,http://rasa-1:5055"}, RasaRouter),
    ],
)  # fmt: skip
def test_one_client_or_a_router_by_settings(env: dict[str, str], kind: type) -> None:
    assert isinstance(rasa_for(Settings.from_env(env)), kind)


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"RASA_URLS": "http://a:5005,http://b:5005", "ACTION_SERVER_URLS": "http://a:5055"},
         "ACTION_SERVER_URLS"),
        ({"RASA_URLS": "a:5005"}, "RASA_URLS"),
    ],
)  # fmt: skip
def test_replica_lists_that_do_not_fit_are_refused_by_name(env: dict[str, str], key: str) -> None:
    from peerpath.errors import ConfigError

    with pytest.raises(ConfigError, match=key):
        Settings.from_env(env)
