"""Specs for the gap counts content owners read (peerpath/feedback.py, actions/gaps.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from actions.gaps import LOW_CONFIDENCE_MARGIN, kind_of_answer
from peerpath.feedback import FeedbackStore, format_gaps, week_of
from peerpath.search.chunking import Passage
from peerpath.search.index import Hit

MONDAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (MONDAY, MONDAY),
        (dt.date(2026, 12, 6), MONDAY),  # Sunday
        (dt.date(2026, 12, 7), dt.date(2026, 12, 7)),
        (dt.date(2027, 1, 1), dt.date(2026, 12, 28)),  # a week across the new year
    ],
)
def test_a_week_starts_on_monday(day: dt.date, week: dt.date) -> None:
    assert week_of(day) == week


def hit(score: float) -> Hit:
    passage = Passage("wages#pay", "wages", "Wages", ("How much?",), "text")
    return Hit(passage, score, score, 0.0)


@pytest.mark.parametrize(
    ("score", "missing", "kind"),
    [
        (0.60, False, None),
        (0.50 + LOW_CONFIDENCE_MARGIN, False, None),
        (0.51, False, "low_confidence"),
        (0.60, True, "missing_detail"),
    ],
)
def test_which_answers_count_as_gaps(score: float, missing: bool, kind: str | None) -> None:
    assert kind_of_answer(hit(score), 0.50, missing) == kind


def test_gaps_and_not_helpful_votes_counted_per_week(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    try:
        for day in (MONDAY, MONDAY + dt.timedelta(days=3)):
            store.record_gap("no_answer", "wages", "How much?", "wages", day=day)
        store.record_gap("no_answer", day=MONDAY - dt.timedelta(days=1))  # nothing near
        store.record("wages#pay", "wages", "How much?", helpful=False, day=MONDAY)
        store.record("wages#pay", "wages", "How much?", helpful=True, day=MONDAY)
        with pytest.raises(ValueError, match="unknown gap kind"):
            store.record_gap("anything")
        rows = [(r.week, r.kind, r.doc_id, r.count) for r in store.gaps()]
        assert rows == [
            (MONDAY, "no_answer", "wages", 2),
            (MONDAY, "not_helpful", "wages", 1),
            (MONDAY - dt.timedelta(days=7), "no_answer", "", 1),
        ]
        assert [r.week for r in store.gaps(since=MONDAY + dt.timedelta(days=2))] == [MONDAY] * 2
        table = format_gaps(store.gaps())
        assert "(no section near)" in table and "wages / How much? (wages)" in table
    finally:
        store.close()
