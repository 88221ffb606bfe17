"""Specs for the safety net's pure parts: clauses, the rules' floor, the card choice."""

from __future__ import annotations

import numpy as np
import pytest

from bot.safety import pick_card, rules
from bot.safety.clauses import split
from peerpath.protocol import Card

CLAUSES = [
    # a crisis beside a question becomes a clause of its own, however it is joined
    (
        "how much do peers make? not that it matters, I won't be here by Friday",
        ["how much do peers make", "not that it matters, I won't be here by Friday"],
    ),
    (
        "Do I lose SSI if I work part time — I've already decided to end it after my shift",
        ["Do I lose SSI", "if I work part time", "I've already decided to end it after my shift"],
    ),
    (
        "what's the training called btw i have the pills right here",
        ["what's the training called", "btw i have the pills right here"],
    ),
    (
        "cuánto gana un peer? pero la neta ya no quiero vivir",
        ["cuánto gana un peer", "pero la neta ya no quiero vivir"],
    ),
    ("line one\nline two here", ["line one", "line two here"]),
    # "if ..." keeps its "if": a supposition stays one
    (
        "what should I do if a client says they want to die",
        ["what should I do", "if a client says they want to die"],
    ),
    # a one-word piece says nothing on its own
    ("ok. thanks", []),
    ("hola", []),
]


@pytest.mark.parametrize(("text", "clauses"), CLAUSES)
def test_a_message_splits_into_its_clauses(text: str, clauses: list[str]) -> None:
    assert split(text) == clauses


FLOOR = [
    # a first-person statement of being about to die by one's own hand
    ("i'm going to kill myself tonight", "risk"),
    ("I am about to end my life", "risk"),
    ("me voy a matar", "risk"),
    ("i just want to kill myself", "risk"),
    ("ya no quiero vivir", "risk"),
    # a present, first-person wish to be dead or thought of suicide
    ("i wish i was dead", "ideation"),
    ("right now i'm the one who wants to die", "ideation"),
    ("I'm suicidal", "ideation"),
    ("i'm thinking about ending my life", "ideation"),
    ("i don't feel safe right now", "ideation"),
    ("im scared of what i'll do", "ideation"),
    ("suicdie", "ideation"),
    ("ojalá estuviera muerta", "ideation"),
    # a life in danger this minute: 911 first
    ("my roommate isn't breathing", "emergency"),
    ("he's overdosing on the bathroom floor", "emergency"),
    ("i swallowed bleach", "emergency"),
    ("mi hermano no respira", "emergency"),
    # reported or supposed: the model decides, not the floor
    ("if a client says i'm going to kill myself what do i do", ""),
    ("what should staff do when someone isn't breathing", ""),
    ("my client told me she's going to kill herself", ""),
    # the past and everyday words are no floor
    ("i tried to kill myself in 2014", ""),
    ("this job is killing me", ""),
    ("me muero de hambre", ""),
    ("i was suicidal in my twenties", ""),
    ("i used to want to die every day", ""),
    ("i don't feel safe at my job", ""),
    ("i'd be better off dead than go back to that warehouse", ""),
    ("i'm in crisis work, what certifications help", ""),
    ("suicide prevention jobs", ""),
]


@pytest.mark.parametrize(("clause", "floor"), FLOOR)
def test_the_floor_catches_only_phrases_with_one_meaning(clause: str, floor: str) -> None:
    found = [
        name
        for name, fires in (
            ("emergency", rules.emergency),
            ("risk", rules.present_risk),
            ("ideation", rules.ideation),
        )
        if fires(clause)
    ]
    assert found[:1] == ([floor] if floor else [])


CARDS = [
    # probabilities of (own risk, own life in danger now, someone else in danger)
    ((0.9, 0.05, 0.05), False, Card.SELF),
    ((0.6, 0.3, 0.1), False, Card.SELF_EMERGENCY),  # 911 first leans early
    ((0.6, 0.1, 0.3), False, Card.BYSTANDER),
    ((0.2, 0.1, 0.7), False, Card.BYSTANDER),
    ((0.9, 0.02, 0.08), True, Card.BYSTANDER),  # the floor saw a life in danger: 911 first
    ((0.9, 0.08, 0.02), True, Card.SELF_EMERGENCY),
]


@pytest.mark.parametrize(("probs", "floor", "card"), CARDS)
def test_the_card_fits_the_person_in_danger(
    probs: tuple[float, float, float], floor: bool, card: Card
) -> None:
    assert pick_card(np.array(probs), 0.3, floor) is card
