""" "Tell me more" reads on in document order, and "tell me more about X" is a question."""

from __future__ import annotations

import pytest

from actions.continuation import Next, next_part, own_subject
from actions.followups import corrected
from peerpath.continuing import goes_on

# (last, shown, units of last, next section, its units, queue) -> what comes next
ORDER = [
    # the short answer left sentences out: they come first
    (("a#1", [0, 2], 5, "a#2", 3, ["b#1"]), Next("a#1", (1, 3, 4), True)),
    # the section was shown whole: the next section of the same article
    (("a#1", [0, 1, 2], 3, "a#2", 4, ["b#1"]), Next("a#2", (0, 1, 2, 3), False)),
    # the article ended: the next good section for the question
    (("a#9", [0, 1], 2, None, 0, ["b#1", "c#4"]), Next("b#1", (0, 1, 2), False)),
    # nothing shown yet in this conversation: the queue
    ((None, [], 0, None, 0, ["c#4"]), Next("c#4", (0, 1, 2), False)),
    # nothing left anywhere
    (("a#9", [0, 1], 2, None, 0, []), None),
]


@pytest.mark.parametrize(("state", "expected"), ORDER)
def test_tell_me_more_goes_on_in_document_order(state: tuple, expected: Next | None) -> None:
    last, shown, count, after, after_count, queue = state
    assert next_part(last, shown, count, after, after_count, queue, {q: 3 for q in queue}) == (
        expected
    )


SUBJECTS = [
    ("tell me more", None),
    ("tell me more about that", None),
    ("can you tell me a bit more about this one", None),
    ("go on", None),
    ("tell me more about the WRAP training", "the WRAP training"),
    ("more info on ticket to work?", "ticket to work"),
    ("i'd like to know more about peer supervision", "peer supervision"),
]


@pytest.mark.parametrize(("text", "subject"), SUBJECTS)
def test_tell_me_more_about_a_subject_is_a_question(text: str, subject: str | None) -> None:
    assert own_subject(text) == subject


CORRECTIONS = [
    ("what do peers earn in vermont?", "no, i meant connecticut",
     "what do peers earn in connecticut?"),
    ("how much do peer specialsts earn", "sorry, typo: specialists",
     "how much do peer specialists earn"),
    ("can i work on ssi", "i meant ssdi, not ssi", "can i work on ssdi"),
    ("cuanto ganan en vermont", "perdón, quise decir connecticut", "cuanto ganan en connecticut"),
    ("what is wrap", "no i meant to ask how long is the wrap training",
     "how long is the wrap training"),
    ("what is wrap", "what about ssi", None),  # a follow-up, not a correction
    # "not X, Y": Y in X's place
    ("how many certified peers are MH only?", "not MH only, SUD only",
     "how many certified peers are SUD only?"),
    ("what does priority 2 say employers should do", "not employers but supervisors",
     "what does priority 2 say supervisors should do"),
    ("what is wrap", "not now, thanks", None), ("what is wrap", "not sure, maybe", None),
    # several markers at once
    ("how much do peer specialsts earn", "sorry typo, i meant specialists",
     "how much do peer specialists earn"),
    # another document: the question asked of it
    ("how long is the training in the vermont coalition source?",
     "oops, i meant the 2007 employers article",
     "how long is the training in the 2007 employers article"),
]  # fmt: skip


@pytest.mark.parametrize(("previous", "text", "expected"), CORRECTIONS)
def test_a_correction_is_put_into_the_last_question(
    previous: str, text: str, expected: str | None
) -> None:
    assert corrected(previous, text) == expected


# one item of a list shown (units 1..5 are the list of "a#1"): how the reading goes on
AFTER_AN_ITEM = [
    # "next one": the next item alone
    (([2], "next"), Next("a#1", (3,), True)),
    # "keep going": the rest of the list
    (([2], "on"), Next("a#1", (3, 4, 5), True)),
    # "tell me more": what the other sections say about the item
    (([2], "more"), Next("b#1", (0, 1, 2), False)),
    # the last item: "next one" goes on as after any section
    (([5], "next"), Next("a#1", (0, 1, 2, 3, 4), True)),
    # not an item (the list's opening line) shown: document order, as always
    (([0], "next"), Next("a#1", (1, 2, 3, 4, 5), True)),
]


@pytest.mark.parametrize(("state", "expected"), AFTER_AN_ITEM)
def test_after_one_item_of_a_list(state: tuple, expected: Next) -> None:
    shown, asked = state
    items = (1, 2, 3, 4, 5)
    assert next_part("a#1", shown, 6, "a#2", 2, ["b#1"], {"b#1": 3}, items, asked) == expected


GOES_ON = [("ok next one", True), ("next", True), ("the next one please", True),
           ("whats next", True), ("keep going", True), ("and after that?", True),
           ("y despues", True), ("la siguiente", True), ("next one!", True),
           # words of its own: a question, not a request to read on
           ("next steps for certification?", False), ("the next priority", False),
           ("what is next for peers in vermont", False), ("ok", False), ("bye", False)]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), GOES_ON)
def test_a_message_that_only_asks_to_go_on(text: str, expected: bool) -> None:
    assert goes_on(text) is expected
