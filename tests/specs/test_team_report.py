"""The team's figures: counts and times per day or week, from tickets alone."""

from __future__ import annotations

import datetime as dt

from bot.handoff.report import as_csv, period_of, rows
from bot.handoff.store import Ticket

MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def ticket(day: int, claim_min: float | None, chat_min: float | None = None, **values) -> Ticket:
    created = MONDAY + dt.timedelta(days=day)
    claimed = created + dt.timedelta(minutes=claim_min) if claim_min is not None else None
    closed = claimed + dt.timedelta(minutes=chat_min) if claimed and chat_min else None
    return Ticket(id=f"T{day}{claim_min}", conv_id="c", channel="web", state="ended",
                  created_at=created, claimed_at=claimed, closed_at=closed, **values)  # fmt: skip


def test_per_day_and_per_week() -> None:
    tickets = [
        ticket(0, 2, 10, urgent=True, rating=5), ticket(0, 10, 20, rating=3),
        ticket(0, None),  # nobody claimed it
        ticket(8, 4, 30),  # the next week
    ]  # fmt: skip
    daily = rows(tickets, {"2026-11-30": 1}, "day")
    assert [r.period for r in daily] == ["2026-11-30", "2026-12-08"]
    first = daily[0]
    assert (first.tickets, first.urgent, first.claimed, first.rated) == (3, 1, 2, 2)
    assert first.claim_p50_minutes == 6.0 and first.claim_p90_minutes == 9.2
    assert first.chat_p50_minutes == 15.0 and first.rating_average == 4.0
    assert first.callbacks_done == 1 and daily[1].rating_average is None
    weekly = rows(tickets, {}, "week")
    assert [(r.period, r.tickets) for r in weekly] == [("2026-11-30", 3), ("2026-12-07", 1)]
    assert period_of(MONDAY + dt.timedelta(days=6), "week") == "2026-11-30"


def test_csv_has_a_header_and_empty_cells_for_no_figure() -> None:
    text = as_csv(rows([ticket(0, None)], {}, "day"))
    header, line = text.strip().splitlines()
    assert header.startswith("period,tickets,urgent,claimed,claim_p50_minutes")
    assert line.startswith("2026-11-30,1,0,0,,")
