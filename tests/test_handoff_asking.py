"""The gateway's check for plain requests for a human (bot/handoff/asking.py).

The NLU classifier missed 5 of 85 `request_human` examples in cross-validation,
so a person who types "operator" or "put me through to a person" must not depend
on it. The
patterns were written while looking at the NLU examples, so those are a
regression check; handoff_asking_blind.yml was written by someone who had not
seen them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from peerpath.asking import asks_for_human, beside_request
from peerpath.settings import PROJECT_ROOT
from tests.helpers.nlu import nlu_examples

TESTS = Path(__file__).resolve().parent
EXAMPLES = [
    *nlu_examples(PROJECT_ROOT / "data" / "nlu"),
    *nlu_examples(TESTS / "nlu_test.yml"),
]


def blind(key: str) -> list[str]:
    data = yaml.safe_load((TESTS / "handoff_asking_blind.yml").read_text(encoding="utf-8"))
    return [str(text) for text in data[key]]


def test_every_request_human_example_is_caught() -> None:
    requests = [text for intent, text in EXAMPLES if intent == "request_human"]
    assert len(requests) >= 60
    assert [text for text in requests if not asks_for_human(text)] == []


def test_no_example_of_another_intent_is_taken_for_a_request() -> None:
    others = [(intent, text) for intent, text in EXAMPLES if intent != "request_human"]
    assert len(others) > 1000
    assert [(i, t) for i, t in others if asks_for_human(t)] == []


def test_crisis_and_search_sets_are_left_alone() -> None:
    texts = []
    for name in ("crisis", "crisis_blind", "not_crisis", "not_crisis_blind"):
        data = yaml.safe_load((TESTS / "safety" / f"{name}.yml").read_text(encoding="utf-8"))
        texts += [str(t) for t in data["messages"]]
    assert [t for t in texts if asks_for_human(t)] == []


def test_the_blind_set_every_request_is_caught() -> None:
    requests = blind("asks_for_human")
    assert len(requests) >= 60
    missed = [text for text in requests if not asks_for_human(text)]
    assert missed == [], f"missed {len(missed)} of {len(requests)}"


def test_the_blind_set_false_matches_stay_rare() -> None:
    others = blind("not_asking")
    assert len(others) >= 60
    matched = [text for text in others if asks_for_human(text)]
    assert len(matched) / len(others) <= 0.05, matched


@pytest.mark.parametrize(
    "text",
    [
        "/request_human",
        '/inform{"handoff_topic": "work"}',
        "",
        "   ",
        "is this a real person?",
        "how do i talk to someone at work about my diagnosis",
        "where can i get peer specialist certification in ohio",
        "i need a peer specialist certification",
        "who do i call about my ssi paperwork",
    ],
)
def test_payloads_questions_and_other_needs_are_not_requests(text: str) -> None:
    assert not asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    ["operator", "Live agent please!", "HUMAN", "put me through to a person",
     "can i talk to a real person", "i\u2019d like to speak with a peer"],
)  # fmt: skip
def test_plain_requests_are_caught_whatever_the_case_or_apostrophe(text: str) -> None:
    assert asks_for_human(text)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("whats the pay like for peer specialists? also can i talk to an actual person",
         "whats the pay like for peer specialists?"),
        ("what do peer specialists earn, and can i talk to a person",
         "what do peer specialists earn"),
        ("human please. how long is the training", "how long is the training"),
        ("connect me with a peer; also is there a training near me",
         "is there a training near me"),
        ("what trainings are there and can i talk to somebody about that",
         "what trainings are there"),
        # a clause about the request itself is no question
        ("can i talk to a person? is that possible", ""),
        # the request is all it says, or names what to talk about: nothing beside it
        ("can i talk to a real person", ""),
        ("i want to talk to a real person about how to become a peer specialist", ""),
    ],
)  # fmt: skip
def test_a_question_beside_a_request_for_a_person_is_told_apart(text: str, question: str) -> None:
    assert beside_request(text) == question


# The shapes a request takes beyond "can I talk to a person" (found missing by blind5's
# first run; each written here in other words than the set's).
REQUESTS = [
    "could you get me a peer on the phone",  # "you" fetches the person
    "would u find me someone to talk to",
    "id prefer to talk it over with a peer supporter",  # an object before "with"
    "what trainings are there and can i talk to somebody about that",  # points back
    "can you connect me with a person from a peer center",
    "my son would like to speak with a real person",  # someone the person speaks for
    "how can i reach an actual human",
    "how do we get in touch with a peer",
    # a request that ends one sentence of several
    "can you connect me with someone? i have ssdi. also how long is the training?",
]
NOT_REQUESTS = [
    "how do i talk to my boss about my diagnosis",
    "how can i talk to my employer about accommodations",
    "my client wants to talk about benefits",
    "how do i reach the WIPA office",
    "could you find me a training",
    "how do i become a peer specialist",
    "i want to be a peer. someone told me it's hard.",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_other_shapes_of_a_request_for_a_person(text: str) -> None:
    assert asks_for_human(text)


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_questions_about_talking_to_other_people_are_not_requests(text: str) -> None:
    assert not asks_for_human(text)
