"""Specs for telling a direct question from a request for a guided flow (peerpath/flows.py)."""

from __future__ import annotations

import pytest

from peerpath.flows import direct_question


@pytest.mark.parametrize(
    ("text", "direct"),
    [
        ("where do I get advice on how a job changes my SSI?", True),
        ("who can help me with work and benefits", True),
        ("can I work while on SSDI?", True),
        ("what peer trainings are there?", True),
        ("help me check my benefits", False),
        ("can you walk me through my benefits step by step?", False),
        ("find me a training near me", False),
        ("what training is in my state?", False),
        ("benefits check", False),
    ],
)
def test_a_direct_question_or_a_request_for_the_flow(text: str, direct: bool) -> None:
    assert direct_question(text) is direct
