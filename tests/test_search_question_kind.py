"""What kind of answer a question asks for (peerpath/search/question_kind.py)."""

from __future__ import annotations

import pytest

from peerpath.search.question_kind import question_kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Who should supervise peer specialists?", "who"),
        ("who is supposed to be supervising us peers", "who"),
        ("whose idea was the action agenda", "who"),
        ("whats wrap in peer support", "what"),
        ("what's WRAP?", "what"),
        ("which training should I take", "what"),
        ("Where did the Top Ten Priorities come from?", "where"),
        ("so where does the core competency list come from", "where"),
        ("when did it come out", "when"),
        ("why do peers leave their jobs", "why"),
        ("How can employers grow peer leaders?", "how"),
        ("how much can i earn on ssdi", "how much"),
        ("How many peer specialists lack the technology they need?", "how much"),
        ("how long is the trial work period", "how much"),
        ("Can peer specialists advance in their careers?", "yes/no"),
        ("is peer support a profession", "yes/no"),
        ("Do I need a degree?", "yes/no"),
        ("peer specialist salary", None),
        ("tell me about telehealth", None),
        ("I can do this job", None),  # an auxiliary not opening it: a statement
        ("showhow", None),  # a question word inside another word is none
    ],
)
def test_question_kind(text: str, kind: str | None) -> None:
    assert question_kind(text) == kind
