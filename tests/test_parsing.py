"""Reading people's short answers to form questions."""

from __future__ import annotations

import pytest

from actions import parsing


@pytest.mark.parametrize(
    ("said", "program"),
    [
        ("SSDI", "SSDI"), ("i get ssi", "SSI"), ("both", "both"),
        ("I get both ssi and ssdi", "both"), (["SSI", "SSDI"], "both"),
        (["Medicaid", "SSI"], "SSI"), ("medicare", "other"), ("not sure", "not_sure"),
        ("i dont know", "not_sure"), ("purple", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_benefit_program(said, program) -> None:
    assert parsing.benefit_program(said) == program


@pytest.mark.parametrize(
    ("said", "state"),
    [
        ("Vermont", "Vermont"), ("i live in new york", "New York"), ("VT", "Vermont"),
        ("vt", "Vermont"), ("west virginia", "West Virginia"), ("online", parsing.ANYWHERE),
        ("I am in the city", None), ("Narnia", None), ("me", "Maine"),
        ("i work in hr", None),
    ],
)  # fmt: skip
def test_us_state(said, state) -> None:
    assert parsing.us_state(said) == state


def test_work_status_topics_formats_and_handoff_topics() -> None:
    assert parsing.work_status("thinking about a job offer") == "considering"
    assert parsing.work_status("i want more hours") == "more_hours"
    assert parsing.work_status("i work part time") == "working"
    assert parsing.work_status("banana") is None
    assert parsing.training_topic("a WRAP class") == "wrap"
    assert parsing.training_topic("leadership") == "supervision"
    assert parsing.training_topic("cooking") is None
    assert parsing.training_format("zoom is best") == "online"
    assert parsing.training_format("doesn't matter") == "either"
    assert parsing.handoff_topic("my ssdi letter") == "benefits"
    assert parsing.handoff_topic("something private") == "other"
