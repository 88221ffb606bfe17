"""A reply opens with a bare "Yes." or "No." only when the person asked the section's own
question (the SSI answer that opened with "No." from another question's section)."""

from __future__ import annotations

import pytest

from peerpath.search.answers import is_own_question, lacks_exact_fact, without_verdict

VERDICTS = [
    ("No. The Action Agenda asks employers to offer full-time jobs.",
     "The Action Agenda asks employers to offer full-time jobs."),
    ("Yes, research links peer support to better outcomes.",
     "Research links peer support to better outcomes."),
    ("Not every state certifies peers.", "Not every state certifies peers."),
    ("Nobody is required to disclose.", "Nobody is required to disclose."),
    ("No.", "No."),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), VERDICTS)
def test_a_bare_verdict_is_left_out(text: str, expected: str) -> None:
    assert without_verdict(text) == expected


OWN = [
    ("is peer support evidence based?", "Is peer support an evidence-based practice?", True),
    ("can someone on SSI work as a peer specialist?",
     "Should peer jobs be part-time so people keep their benefits?", False),
    ("what is priority 7 about", "Are the Top Ten Priorities ranked in order of importance?",
     False),
    # the heading's own words ("ranked in order of importance") not asked: another question
    ("what are the top ten priorities", "Are the Top Ten Priorities ranked in order of importance?",
     False),
    ("what are the top ten priorities", "What are the Top Ten Priorities?", True),
    ("do i have to speak for my whole community?",
     "Do I have to speak for my whole community?", True),
]  # fmt: skip


@pytest.mark.parametrize(("question", "heading", "own"), OWN)
def test_the_sections_own_question(question: str, heading: str, own: bool) -> None:
    assert is_own_question(question, heading) is own


EXACT = [
    # asks a name / year / count in so many words, and the section holds none
    ("who runs the coalition?", "It trains peers. (Wellness Workforce Coalition, 2020)", True),
    ("what year was the coalition founded", "It was funded after a flood.", True),
    ("how many members does it have", "It has member organizations.", True),
    # the section holds it
    ("who wrote the agenda?", "It is a report by Jeremy Reuling and Rita Cronise.", False),
    ("when was it published?", "It is a September 2024 report.", False),
    ("how many members does it have", "It has 13 member organizations.", False),
    # questions that ask how, not for a date or a count
    ("when should i tell my boss about my diagnosis", "Disclosure is your choice.", False),
    ("how do i negotiate my pay", "Research the local living wage.", False),
]  # fmt: skip


@pytest.mark.parametrize(("question", "section", "lacks"), EXACT)
def test_a_section_that_lacks_the_exact_fact_asked(
    question: str, section: str, lacks: bool
) -> None:
    assert lacks_exact_fact(question, section) is lacks
