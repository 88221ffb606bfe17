"""The outage notice only when something failed: common first messages and one-word
replies over the real stack (gateway, Rasa, action server), and one busy person who
never slows the rest.

The first messages (tests/fixtures/first_messages.yml) were written by a helper who
saw no code: what people type first, and what they answer with one word.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from bot.rasa.replies import CALM_UNAVAILABLE
from tests.helpers.gateway import NO_LIMITS, say, session, stack_gateway

pytestmark = pytest.mark.slow

FIRST_MESSAGES = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "first_messages.yml").read_text(encoding="utf-8")
)["messages"]


@pytest.fixture
def gateway(stack, knowledge_index, safety_net) -> Iterator[TestClient]:
    with stack_gateway(stack, knowledge_index, safety_net, **NO_LIMITS) as client:
        yield client


def _notices(reply: dict) -> list[str]:
    return [m["text"] for m in reply["messages"] if m.get("text") == CALM_UNAVAILABLE]


def test_first_messages_never_get_the_outage_notice(gateway: TestClient) -> None:
    assert len(FIRST_MESSAGES) >= 50
    silent, outage = [], []
    for number, text in enumerate(FIRST_MESSAGES):
        reply = say(gateway, f"first-{number}", text)
        if not reply["messages"]:
            silent.append(text)
        if _notices(reply) or reply.get("status") in ("degraded", "unavailable"):
            outage.append(text)
    assert outage == [] and silent == [], (outage, silent)


@pytest.mark.parametrize("word", ["ok", "yes", "no", "?", "thanks", "sure"])
def test_a_one_word_reply_after_an_answer_is_answered(gateway: TestClient, word: str) -> None:
    name = f"after-answer-{word}"
    say(gateway, name, "what does a vocational peer specialist do?")
    reply = say(gateway, name, word)
    assert reply["messages"] and not _notices(reply), reply


def test_one_busy_person_never_slows_the_rest(gateway: TestClient) -> None:
    """A dozen questions at once and then a request for a human, from one person, while
    another person chats: the other sees no notice at all."""
    session(gateway, "busy")
    session(gateway, "calm")
    busy_replies: list[dict] = []
    calm_replies: list[dict] = []

    def busy(text: str) -> None:
        busy_replies.append(say(gateway, "busy", text))

    flood = [f"question {i}: how much do peer specialists earn?" for i in range(12)]
    threads = [threading.Thread(target=busy, args=(text,)) for text in flood]
    threads.append(threading.Thread(target=busy, args=("can i talk to a real person",)))
    for thread in threads:
        thread.start()
    for text in ("hi", "what trainings are there?", "what is SGA?", "thanks"):
        calm_replies.append(say(gateway, "calm", text))
    for thread in threads:
        thread.join(timeout=120)
    assert [r for r in calm_replies if _notices(r) or r.get("status")] == []
    assert all(r["messages"] for r in busy_replies)
