""" "Priority 7", "the first concern": one item of a list, found by its place and its noun."""

from __future__ import annotations

import pytest

from actions.followups import own_heading_first
from actions.ordinals import Ordinal, list_answer, ordinal_asked
from peerpath.continuing import reading
from peerpath.search.chunking import Passage
from peerpath.search.index import Hit

ASKED = [
    ("whats the first priority in the top ten action agenda", Ordinal(1, ("priority",))),
    ("what is priority 7 about", Ordinal(7, ("priority",))),
    ("what's the first core competency for peer support specialists", Ordinal(1, ("competency",))),
    ("competency #3", Ordinal(3, ("competency",))),
    ("the 3rd priority", Ordinal(3, ("priority",))),
    ("what's the last concern", Ordinal(-1, ("concern",))),
    ("¿cuál es la primera prioridad?", Ordinal(1, ("prioridad",))),
    # the place said bare, its noun elsewhere in the message
    ("walk me through the priorities one at a time please. whats #1?", Ordinal(1, ("priority",))),
    ("and the second one of the concerns", Ordinal(2, ("concern",))),
    # numbers that count something else, and places with no noun
    ("peers earn $15 an hour", None),
    ("i worked 20 hours a week", None),
    ("in 2016 they found", None),
    ("the first two years", None),
    ("what are the top ten priorities", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), ASKED)
def test_a_place_and_a_noun(text: str, expected: Ordinal | None) -> None:
    assert ordinal_asked(text) == expected


READING = [("next one", "next"), ("ok the next one", "next"), ("and?", "next"),
           ("what comes after that", "next"), ("keep going", "on"), ("what else", "on"),
           ("go on", "on"), ("tell me more", "more"), ("more please", "more")]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), READING)
def test_how_the_reading_goes_on_after_an_item(text: str, expected: str) -> None:
    assert reading(text) == expected


def passage(chunk: str, heading: str, text: str, lang: str = "en") -> Passage:
    return Passage(chunk, chunk.split("#")[0], "Doc", (heading,), text, lang=lang)


PRIORITIES = passage("agenda#list", "What are the Top Ten Priorities?",
                     "In short:\n1. Value peers.\n2. Raise wages.\n3. More jobs.")  # fmt: skip
RANKED = passage("agenda#ranked", "Are the priorities ranked?", "No. They are connected.")
STEPS = passage("guide#steps", "What should an employer do first?",
                "Think about these priorities:\n- Where peers work\n- Benefits")  # fmt: skip


def hit(p: Passage, score: float) -> Hit:
    return Hit(p, score, score, 0.0)


def test_the_list_that_names_the_noun_and_has_the_place() -> None:
    everything = [PRIORITIES, RANKED, STEPS]
    second = Ordinal(2, ("priority",))
    # two lists name priorities: search's order decides
    assert list_answer(everything, [hit(STEPS, 0.7), hit(PRIORITIES, 0.6)], second, ["en"]) == (
        STEPS, 2,
    )  # fmt: skip
    assert list_answer(everything, [hit(PRIORITIES, 0.6)], second, ["en"]) == (PRIORITIES, 2)
    # only one list has a third item: taken wherever search ranked it
    assert list_answer(everything, [], Ordinal(3, ("priority",)), ["en"]) == (PRIORITIES, 3)
    # no list has a ninth, or names "concerns", or is in Spanish: no ordinal answer
    assert list_answer(everything, [], Ordinal(9, ("priority",)), ["en"]) is None
    assert list_answer(everything, [], Ordinal(1, ("concern",)), ["en"]) is None
    assert list_answer(everything, [], Ordinal(1, ("priority",)), ["es"]) is None


def test_the_section_whose_heading_is_the_question_goes_first_if_close() -> None:
    hits = [hit(RANKED, 0.78), hit(PRIORITIES, 0.76)]
    question = "what are the top ten priorities"
    assert own_heading_first(hits, question)[0] is hits[1]
    far = [hit(RANKED, 0.78), hit(PRIORITIES, 0.70)]
    assert own_heading_first(far, question) == far
