"""The team's figures, per day or week: counts and times only, never what was said.

Tickets opened, urgent ones, time to claim (p50, p90), time from claim to end,
the average rating and how many rated, callbacks done. `/api/staff/report` (leads)
serves them as JSON or CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

from bot.handoff.store import Ticket, aware

PERIODS = ("day", "week")


@dataclass(frozen=True)
class Row:
    period: str  # the day (YYYY-MM-DD) or the week's Monday
    tickets: int
    urgent: int
    claimed: int
    claim_p50_minutes: float | None
    claim_p90_minutes: float | None
    chat_p50_minutes: float | None
    rated: int
    rating_average: float | None
    callbacks_done: int


def period_of(when: dt.datetime, by: str) -> str:
    day = when.astimezone(dt.UTC).date()
    return (day - dt.timedelta(days=day.weekday()) if by == "week" else day).isoformat()


def _minutes(seconds: list[float], q: float) -> float | None:
    return round(float(np.percentile(seconds, q)) / 60, 1) if seconds else None


def rows(tickets: Iterable[Ticket], callbacks_done: dict[str, int], by: str) -> list[Row]:
    """One row per period that has tickets, oldest first. `callbacks_done` counts the
    audit trail's callback_done actions per period."""
    groups: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        created = aware(ticket.created_at)
        if created is not None:
            groups.setdefault(period_of(created, by), []).append(ticket)
    out = []
    for period in sorted(set(groups) | set(callbacks_done)):
        group = groups.get(period, [])
        waits, chats, ratings = [], [], []
        for t in group:
            created, claimed, closed = aware(t.created_at), aware(t.claimed_at), aware(t.closed_at)
            if created and claimed:
                waits.append((claimed - created).total_seconds())
            if claimed and closed:
                chats.append((closed - claimed).total_seconds())
            if t.rating:
                ratings.append(t.rating)
        out.append(Row(
            period, len(group), sum(bool(t.urgent) for t in group), len(waits),
            _minutes(waits, 50), _minutes(waits, 90), _minutes(chats, 50), len(ratings),
            round(sum(ratings) / len(ratings), 2) if ratings else None,
            callbacks_done.get(period, 0),
        ))  # fmt: skip
    return out


def as_csv(report: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(Row.__dataclass_fields__))
    writer.writeheader()
    for row in report:
        writer.writerow({k: "" if v is None else v for k, v in asdict(row).items()})
    return out.getvalue()
