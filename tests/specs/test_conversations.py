"""Specs for the message path (bot/conversations.py), with canned Rasa replies.

Rasa is an httpx.MockTransport playing a script; the hand-off queue is real
(SQLite in a temporary folder); the safety net is its rules' floor alone, and a
few messages graded by script where a spec needs a card the floor can't tell.
Each spec reads: a person says this, Rasa does that, PeerPath answers so.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import conversations as conversations_module
from bot.conversations import NO_OPEN_REQUEST, UNKNOWN_COMMAND, Conversations
from bot.events import EventBus
from bot.handoff.outbox import Outbox
from bot.handoff.service import HandoffService
from bot.handoff.store import HandoffStore
from bot.rasa.client import RasaClient
from bot.rasa.replies import CALM_UNAVAILABLE, NOTHING_TO_ADD, STILL_WORKING
from bot.ratelimit import RateLimiter
from bot.safety import Assessment, SafetyNet
from peerpath.crisis import BYSTANDER_TEXT, CRISIS_TEXT
from peerpath.errors import BadRequest
from peerpath.hours import OfficeHours
from peerpath.protocol import (
    REQUEST_HUMAN,
    Card,
    Command,
    HandoffRequest,
    MessageMeta,
    Safety,
)
from peerpath.settings import HandoffConfig, Secret

OFFER = [{"recipient_id": "x", "text": "I can connect you with a peer supporter. Connect?"}]
ANSWER = [
    {"recipient_id": "x", "text": "Peers earn about $16.76 an hour."},
    {"recipient_id": "x", "custom": {"kind": "answer", "sources": [{"title": "Wages"}]}},
]
MENU = [{"recipient_id": "x", "text": "Here's what I can help with.", "buttons": [
    {"title": "Talk to a peer", "payload": REQUEST_HUMAN}]}]  # fmt: skip
HANDOFF = [{"recipient_id": "x", "custom": HandoffRequest("benefits", False).to_custom()}]
BYSTANDER = "my friend is on the railing of the bridge right now"


class ScriptedNet(SafetyNet):
    """The rules' floor, and BYSTANDER graded as someone else in danger (a model would)."""

    def assess(self, text: str, vector: Any = None) -> Assessment:
        if text == BYSTANDER:
            return Assessment(Safety.CRISIS, Card.BYSTANDER, by="model", score=0.99)
        return super().assess(text)


@dataclass
class FakeRasa:
    """What Rasa's REST channel answers, and what it was sent."""

    answer: Callable[[dict[str, Any]], Any] = lambda body: ANSWER
    action_server_up: bool = True
    received: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200 if self.action_server_up else 503)
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "peerpath.tar.gz"})
        if request.url.path.endswith("/tracker/events"):
            return httpx.Response(200, json={})
        body = json.loads(request.content)
        self.received.append(body)
        replies = self.answer(body)
        if isinstance(replies, Exception):
            raise replies
        if asyncio.iscoroutine(replies):
            replies = await replies
        return httpx.Response(200, json=replies)


async def hang(body: dict[str, Any]) -> Any:
    await asyncio.sleep(60)  # a stalled Rasa


def down(body: dict[str, Any]) -> Exception:
    return httpx.ConnectError("connection refused")


@dataclass
class Gateway:
    conversations: Conversations
    rasa: FakeRasa
    handoff: HandoffService

    async def say(self, text: str, who: str = "ana") -> Any:
        return await self.conversations.handle("web", who, text)


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    fake = FakeRasa()
    rasa = RasaClient(
        "http://rasa.test", Secret("t"), timeout=5.0, action_server_url="http://actions.test",
        transport=httpx.MockTransport(fake),
    )  # fmt: skip
    store = HandoffStore(f"sqlite:///{tmp_path / 'handoff.db'}")
    always = HandoffConfig(hours=OfficeHours.parse("always", "UTC"))
    handoff = HandoffService(store, Outbox(store), rasa, always, EventBus())
    conversations = Conversations(
        rasa,
        Secret("secret"),
        handoff,
        ScriptedNet(model=None),
        RateLimiter(5),
        max_chars=2000,
        address_limiter=RateLimiter(8),
    )
    yield Gateway(conversations, fake, handoff)
    await conversations.aclose()
    await rasa.aclose()
    store.close()


def kinds(reply: Any) -> list[str]:
    return [m.kind for m in reply.messages]


def texts(reply: Any) -> str:
    return "\n".join(m.text for m in reply.messages)


# --- crisis -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "i want to kill myself tonight",
        "I'M GOING TO END MY LIFE \ud83d",
        "\x00me voy a matar\u202e",
    ],
)
async def test_crisis_gets_the_gateways_reply_at_once_even_with_rasa_stalled(
    gateway: Gateway, message: str
) -> None:
    gateway.rasa.answer = hang
    started = time.perf_counter()
    reply = await gateway.say(message)
    # Rasa hangs for 60 s and the client would wait 5 s: the reply came without either
    # (how fast it is, is the reliability suite's and the bench's to measure)
    assert time.perf_counter() - started < 2.0
    assert kinds(reply) == ["crisis"]
    assert reply.messages[0].buttons[0].payload.startswith(Command.CONNECT_URGENT)


async def test_rasa_is_told_about_the_crisis_afterwards(gateway: Gateway) -> None:
    await gateway.say("i want to kill myself tonight")
    for _ in range(50):
        if gateway.rasa.received:
            break
        await asyncio.sleep(0.01)
    [sent] = gateway.rasa.received
    assert sent["message"] == "i want to kill myself tonight", "the person's words, not a payload"
    meta = MessageMeta.from_metadata(sent["metadata"])
    assert meta is not None and meta.safety == "crisis"


async def test_the_crisis_button_opens_an_urgent_ticket_without_rasa(gateway: Gateway) -> None:
    gateway.rasa.answer = down
    reply = await gateway.say(Command.CONNECT_URGENT)
    assert reply.handoff is not None and reply.handoff["state"] == "waiting"
    assert "as soon as possible" in texts(reply)
    [ticket] = await gateway.handoff.open_tickets()
    assert ticket["urgent"] is True
    assert gateway.rasa.received == []


async def test_someone_else_in_danger_gets_the_bystander_card_and_the_ticket_says_so(
    gateway: Gateway,
) -> None:
    reply = await gateway.say(BYSTANDER)
    [card] = reply.messages
    assert card.text == BYSTANDER_TEXT and card.text.startswith("Please call 911 now")
    await gateway.say(card.buttons[0].payload)  # "Connect me with a peer"
    [ticket] = await gateway.handoff.open_tickets()
    assert ticket["urgent"] is True and ticket["topic"] == "crisis-bystander"


# --- nothing stands before a crisis reply ---------------------------------------------


async def test_a_crisis_from_a_person_over_their_rate_limit_gets_the_crisis_reply(
    gateway: Gateway,
) -> None:
    for _ in range(5):
        await gateway.say("hi", who="flood")
    with pytest.raises(BadRequest):
        await gateway.say("hi", who="flood")
    reply = await gateway.say("I'm going to kill myself tonight", who="flood")
    assert kinds(reply) == ["crisis"] and reply.messages[0].text == CRISIS_TEXT


async def test_a_crisis_from_an_address_over_its_limit_gets_the_crisis_reply(
    gateway: Gateway,
) -> None:
    for n in range(8):
        await gateway.conversations.handle("web", f"person-{n}", "hi", client="10.0.0.9")
    with pytest.raises(BadRequest) as refused:
        await gateway.conversations.handle("web", "another", "hi", client="10.0.0.9")
    assert refused.value.status_code == 429
    reply = await gateway.conversations.handle(
        "web", "another", "i'm going to kill myself", client="10.0.0.9"
    )
    assert kinds(reply) == ["crisis"]


async def test_an_over_long_crisis_message_gets_the_crisis_reply(gateway: Gateway) -> None:
    reply = await gateway.say("I'm going to end my life. " + "I can't go on. " * 300)
    assert kinds(reply) == ["crisis"]


async def test_a_crisis_in_a_handoff_over_the_limit_reaches_the_peer_marked_urgent(
    gateway: Gateway,
) -> None:
    gateway.rasa.answer = lambda body: HANDOFF
    await gateway.say('/inform{"handoff_topic": "benefits"}', who="flood")
    for _ in range(4):
        await gateway.say("are you there?", who="flood")
    with pytest.raises(BadRequest):
        await gateway.say("hello??", who="flood")
    reply = await gateway.say("I'm going to kill myself tonight", who="flood")
    assert kinds(reply) == ["crisis"] and reply.handoff is not None
    [ticket] = await gateway.handoff.open_tickets()
    assert ticket["urgent"] is True
    said = [m["text"] for m in await gateway.handoff.messages(ticket["id"])]
    assert "I'm going to kill myself tonight" in said, "the peer sees the message"


# --- a request for a human -----------------------------------------------------------


async def test_asking_for_a_human_goes_to_rasa_with_the_persons_words(gateway: Gateway) -> None:
    gateway.rasa.answer = lambda body: OFFER
    reply = await gateway.say("can i talk to a real person please")
    assert "peer supporter" in texts(reply) and reply.handoff is None
    assert gateway.rasa.received[0]["message"] == "can i talk to a real person please"


@pytest.mark.parametrize("rasa", [down, hang], ids=["rasa down", "rasa stalled"])
async def test_asking_for_a_human_opens_a_ticket_when_rasa_cant_answer(
    gateway: Gateway, rasa: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations_module, "HUMAN_REQUEST_TIMEOUT", 0.3)
    gateway.rasa.answer = rasa
    started = time.perf_counter()
    reply = await gateway.say("operator")
    assert time.perf_counter() - started < 1.0, "one short timeout at most"
    assert reply.handoff is not None and reply.handoff["state"] == "waiting"


async def test_rasas_handoff_request_becomes_a_ticket(gateway: Gateway) -> None:
    gateway.rasa.answer = lambda body: HANDOFF
    reply = await gateway.say('/inform{"handoff_topic": "benefits"}')
    assert reply.handoff is not None and reply.handoff["state"] == "waiting"
    [ticket] = await gateway.handoff.open_tickets()
    assert ticket["topic"] == "benefits" and ticket["urgent"] is False


async def test_with_a_ticket_open_messages_go_to_the_peer_not_rasa(gateway: Gateway) -> None:
    gateway.rasa.answer = lambda body: HANDOFF
    await gateway.say('/inform{"handoff_topic": "benefits"}')
    gateway.rasa.received.clear()
    first = await gateway.say("my ssdi letter confuses me")
    assert "Sent to the peer team" in texts(first)
    second = await gateway.say("and my job starts monday")
    assert second.messages == (), "the acknowledgement comes once"
    assert gateway.rasa.received == []


# --- when Rasa can't help -------------------------------------------------------------


async def test_rasa_down_gives_the_calm_message(gateway: Gateway) -> None:
    gateway.rasa.answer = down
    reply = await gateway.say("what do peers earn")
    assert reply.status == "unavailable" and texts(reply) == CALM_UNAVAILABLE


async def test_after_a_failure_rasa_is_not_waited_on_again_at_once(gateway: Gateway) -> None:
    gateway.rasa.answer = down
    await gateway.say("what do peers earn")
    gateway.rasa.answer = hang
    started = time.perf_counter()
    reply = await gateway.say("and in new york?", who="ben")
    assert time.perf_counter() - started < 0.3
    assert reply.status == "unavailable"


async def test_nothing_back_with_everything_up_is_no_outage(gateway: Gateway) -> None:
    """Rasa had nothing to say ("ok" with no question open): "anything else?" and the menu."""
    gateway.rasa.answer = lambda body: [] if body["message"] == "ok" else MENU
    reply = await gateway.say("ok")
    assert reply.status == "ok" and texts(reply).startswith(NOTHING_TO_ADD)
    assert "Here's what I can help with." in texts(reply)


async def test_one_conversations_timeout_is_its_own(gateway: Gateway) -> None:
    """A slow turn of one person's own ("one moment") never trips the switch for others."""
    gateway.rasa.answer = lambda body: hang(body) if body["sender"] == busy else ANSWER
    busy = gateway.conversations.conversation_id("web", "busy")
    gateway.conversations._rasa._timeout = 0.3  # type: ignore[attr-defined]
    reply = await gateway.say("what do peers earn", who="busy")
    assert reply.status == "busy" and texts(reply) == STILL_WORKING
    assert (await gateway.say("what do peers earn", who="calm")).status == "ok"


async def test_nothing_back_and_the_action_server_down_is_degraded(gateway: Gateway) -> None:
    gateway.rasa.answer = lambda body: []
    gateway.rasa.action_server_up = False
    reply = await gateway.say("what do peers earn")
    assert reply.status == "degraded" and texts(reply) == CALM_UNAVAILABLE


# --- commands and payloads --------------------------------------------------------------


@pytest.mark.parametrize("command", ["/weather", '/inform{"broken', "/Help", "/request_human{1}"])
async def test_a_command_rasa_doesnt_know_gets_a_notice_and_the_menu(
    gateway: Gateway, command: str
) -> None:
    gateway.rasa.answer = lambda body: MENU
    reply = await gateway.say(command)
    assert reply.messages[0].text == UNKNOWN_COMMAND
    assert "Here's what I can help with." in texts(reply)
    assert [r["message"] for r in gateway.rasa.received] == ["/help"], "never the unknown text"


async def test_a_handoff_command_without_a_ticket_says_so(gateway: Gateway) -> None:
    reply = await gateway.say(Command.CANCEL_HANDOFF)
    assert texts(reply) == NO_OPEN_REQUEST and gateway.rasa.received == []


# --- input rules, the same for every channel ------------------------------------------


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [("   ", 400, "empty"), ("\x00\x01", 400, "empty"), ("a" * 2001, 413, "limit is 2000")],
)
async def test_input_rules(gateway: Gateway, text: str, status: int, words: str) -> None:
    with pytest.raises(BadRequest) as refused:
        await gateway.say(text)
    assert refused.value.status_code == status and words in refused.value.detail


async def test_a_person_sending_too_fast_is_told_when_to_try_again(gateway: Gateway) -> None:
    for _ in range(5):
        await gateway.say("hi", who="flood")
    with pytest.raises(BadRequest) as refused:
        await gateway.say("hi", who="flood")
    assert refused.value.status_code == 429 and refused.value.retry_after
    await gateway.say("hi", who="someone else")


async def test_text_reaches_rasa_cleaned(gateway: Gateway) -> None:
    await gateway.say("  what do peers earn \ud83d\x07\r\n ")
    assert gateway.rasa.received[0]["message"] == "what do peers earn \ufffd"


async def test_text_that_only_looks_like_a_command_is_still_graded(gateway: Gateway) -> None:
    reply = await gateway.say("/ i want to kill myself")
    assert kinds(reply) == ["crisis"]


# --- the hand-off store unreachable ------------------------------------------------------


def lose_the_store(gateway: Gateway, tmp_path: Path) -> None:
    """The hand-off database goes away (a directory where its file was): every new
    connection fails, as when PostgreSQL is down."""
    store = gateway.handoff.store
    store.engine.dispose()
    (tmp_path / "handoff.db").unlink()
    (tmp_path / "handoff.db").mkdir()
    store.engine.dispose()


async def test_with_the_store_down_a_crisis_still_gets_its_reply(
    gateway: Gateway, tmp_path: Path
) -> None:
    lose_the_store(gateway, tmp_path)
    reply = await gateway.say("i want to kill myself tonight")
    assert kinds(reply) == ["crisis"] and reply.messages[0].text == CRISIS_TEXT


async def test_with_the_store_down_questions_are_answered_and_a_peer_request_is_calm(
    gateway: Gateway, tmp_path: Path
) -> None:
    lose_the_store(gateway, tmp_path)
    assert "16.76" in texts(await gateway.say("what do peers earn?"))
    reply = await gateway.say(Command.CONNECT_URGENT)
    assert reply.status == "degraded" and reply.handoff is None
    assert "can't reach the peer team right now" in texts(reply) and "988" in texts(reply)


# --- a message sent again (a client retrying a lost reply) ----------------------------


async def test_a_message_sent_twice_with_one_id_is_answered_once(gateway: Gateway) -> None:
    first = await gateway.conversations.handle("web", "ana", "what do peers earn?", message_id="m1")
    again = await gateway.conversations.handle("web", "ana", "what do peers earn?", message_id="m1")
    assert again == first and "16.76" in texts(again)
    assert len(gateway.rasa.received) == 1, "one turn, however often it was sent"
    await gateway.conversations.handle("web", "ana", "what do peers earn?", message_id="m2")
    assert len(gateway.rasa.received) == 2, "a new id is a new message"


async def test_a_retry_while_the_first_try_runs_waits_for_its_reply(gateway: Gateway) -> None:
    async def slow(body: dict[str, Any]) -> Any:
        await asyncio.sleep(0.5)
        return ANSWER

    gateway.rasa.answer = slow
    say = gateway.conversations.handle
    first, retry = await asyncio.gather(
        say("web", "ana", "what do peers earn?", message_id="m1"),
        say("web", "ana", "what do peers earn?", message_id="m1"),
    )
    assert first == retry and "16.76" in texts(retry)
    assert len(gateway.rasa.received) == 1


async def test_a_calm_try_again_is_not_kept_so_the_retry_gets_the_answer(gateway: Gateway) -> None:
    gateway.rasa.answer = hang  # this person's turn is stuck: "still working on it"
    gateway.conversations._rasa._timeout = 0.3  # type: ignore[attr-defined]
    say = gateway.conversations.handle
    calm = await say("web", "ana", "what do peers earn?", message_id="m1")
    assert calm.status == "busy"
    gateway.rasa.answer = lambda body: ANSWER
    retry = await say("web", "ana", "what do peers earn?", message_id="m1")
    assert retry.status == "ok" and "16.76" in texts(retry)


async def test_a_crisis_sent_twice_gets_the_card_twice_and_rasa_hears_it_once(
    gateway: Gateway,
) -> None:
    gateway.rasa.answer = hang  # nothing, not even a kept reply, stands before a crisis reply
    for _ in range(2):
        started = time.perf_counter()
        reply = await gateway.conversations.handle(
            "web", "ana", "i want to kill myself tonight", message_id="c1"
        )
        assert kinds(reply) == ["crisis"] and time.perf_counter() - started < 2.0
    await asyncio.sleep(0.2)
    assert len(gateway.rasa.received) == 1


async def test_forgetting_a_conversation_forgets_its_kept_replies(gateway: Gateway) -> None:
    await gateway.conversations.handle("web", "ana", "what do peers earn?", message_id="m1")
    await gateway.conversations.forget("web", "ana")
    await gateway.conversations.handle("web", "ana", "what do peers earn?", message_id="m1")
    assert len(gateway.rasa.received) == 2, "nothing of the erased conversation is replayed"
