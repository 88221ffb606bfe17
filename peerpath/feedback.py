"""What content owners learn from people: helpful / not helpful per section, and the
questions PeerPath could not answer well, counted.

Only counts are kept: which section, which day or week, how many. No message
text, no conversation id. The gaps are counted by kind (GAP_KINDS), by the
nearest section search found and by the intent's topic, per week (weeks start
on Monday). `python -m bot feedback-report` and `python -m bot gaps` print them;
leads see the gaps at `GET /api/staff/gaps`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Date, Integer, String, create_engine, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class SectionFeedback(Base):
    __tablename__ = "section_feedback"

    chunk_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(200))
    section: Mapped[str] = mapped_column(String(300))
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    not_helpful: Mapped[int] = mapped_column(Integer, default=0)


# The kinds of gap: nothing confident enough to answer with (the nearest section is
# counted, when there was one); an answer only just above the bar; an answer whose
# section lacks the exact detail asked ("My resources don't give that exact detail").
GAP_KINDS = ("no_answer", "low_confidence", "missing_detail")


class QuestionGap(Base):
    __tablename__ = "question_gaps"

    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    section: Mapped[str] = mapped_column(String(300), primary_key=True)
    topic: Mapped[str] = mapped_column(String(50), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


def week_of(day: dt.date) -> dt.date:
    """The Monday that starts `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class GapRow:
    """One week's count of one kind of gap, by nearest section and topic."""

    week: dt.date
    kind: str  # one of GAP_KINDS, or "not_helpful" (the votes of section_feedback)
    doc_id: str
    section: str
    topic: str
    count: int

    def to_dict(self) -> dict[str, str | int]:
        return {"week": self.week.isoformat(), "kind": self.kind, "doc_id": self.doc_id,
                "section": self.section, "topic": self.topic, "count": self.count}  # fmt: skip


@dataclass(frozen=True)
class ReportRow:
    doc_id: str
    section: str
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


class FeedbackStore:
    """Counts in a SQL database (SQLite by default)."""

    def __init__(self, url: str, auto_migrate: bool = True) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self._engine: Engine = create_engine(url, future=True)
        from peerpath import migrations  # Alembic: only where a store is opened

        migrations.ready(self._engine, migrations.FEEDBACK, auto_migrate)

    def record(
        self, chunk_id: str, doc_id: str, section: str, helpful: bool, day: dt.date | None = None
    ) -> None:
        """Add one yes or no for a section."""
        day = day or dt.date.today()
        column = "helpful" if helpful else "not_helpful"
        with Session(self._engine) as session, session.begin():
            if self._engine.dialect.name == "sqlite":
                stmt = sqlite_insert(SectionFeedback).values(
                    chunk_id=chunk_id, day=day, doc_id=doc_id, section=section,
                    helpful=int(helpful), not_helpful=int(not helpful),
                )  # fmt: skip
                stmt = stmt.on_conflict_do_update(
                    index_elements=["chunk_id", "day"],
                    set_={column: getattr(SectionFeedback, column) + 1},
                )
                session.execute(stmt)
                return
            row = session.get(SectionFeedback, (chunk_id, day), with_for_update=True)
            if row is None:
                session.add(SectionFeedback(chunk_id=chunk_id, day=day, doc_id=doc_id,
                                            section=section, helpful=int(helpful),
                                            not_helpful=int(not helpful)))  # fmt: skip
            else:
                setattr(row, column, getattr(row, column) + 1)

    def report(self, since: dt.date | None = None) -> list[ReportRow]:
        """Totals per section, the most 'not helpful' first."""
        query = select(
            SectionFeedback.doc_id,
            SectionFeedback.section,
            func.sum(SectionFeedback.helpful),
            func.sum(SectionFeedback.not_helpful),
        ).group_by(SectionFeedback.doc_id, SectionFeedback.chunk_id, SectionFeedback.section)
        if since is not None:
            query = query.where(SectionFeedback.day >= since)
        with Session(self._engine) as session:
            rows = [
                ReportRow(d, s, int(h or 0), int(n or 0)) for d, s, h, n in session.execute(query)
            ]
        return sorted(rows, key=lambda r: (-r.not_helpful, -r.total, r.doc_id, r.section))

    def record_gap(
        self, kind: str, doc_id: str = "", section: str = "", topic: str = "",
        day: dt.date | None = None,
    ) -> None:  # fmt: skip
        """Count one question PeerPath could not answer well (no text, no conversation)."""
        if kind not in GAP_KINDS:
            raise ValueError(f"unknown gap kind: {kind}")
        key = {"week": week_of(day or dt.date.today()), "kind": kind, "doc_id": doc_id[:200],
               "section": section[:300], "topic": topic[:50]}  # fmt: skip
        with Session(self._engine) as session, session.begin():
            if self._engine.dialect.name == "sqlite":
                stmt = sqlite_insert(QuestionGap).values(**key, count=1)
                stmt = stmt.on_conflict_do_update(
                    index_elements=list(key), set_={"count": QuestionGap.count + 1}
                )
                session.execute(stmt)
                return
            identity = tuple(key.values())
            row = session.get(QuestionGap, identity, with_for_update=True)
            if row is None:
                session.add(QuestionGap(**key, count=1))
            else:
                row.count += 1

    def gaps(self, since: dt.date | None = None) -> list[GapRow]:
        """The gaps and the "not helpful" votes per week, newest week first, then the
        most frequent."""
        asked = select(
            QuestionGap.week, QuestionGap.kind, QuestionGap.doc_id, QuestionGap.section,
            QuestionGap.topic, QuestionGap.count,
        )  # fmt: skip
        votes = select(
            SectionFeedback.day, SectionFeedback.doc_id, SectionFeedback.section,
            SectionFeedback.not_helpful,
        ).where(SectionFeedback.not_helpful > 0)  # fmt: skip
        if since is not None:
            asked = asked.where(QuestionGap.week >= week_of(since))
            votes = votes.where(SectionFeedback.day >= week_of(since))
        with Session(self._engine) as session:
            rows = [GapRow(w, k, d, s, t, int(n)) for w, k, d, s, t, n in session.execute(asked)]
            by_week: dict[tuple[dt.date, str, str], int] = {}
            for day, doc_id, section, count in session.execute(votes):
                key = (week_of(day), doc_id, section)
                by_week[key] = by_week.get(key, 0) + int(count)
        rows += [GapRow(w, "not_helpful", d, s, "", n) for (w, d, s), n in by_week.items()]
        return sorted(rows, key=lambda r: (-r.week.toordinal(), -r.count, r.kind, r.doc_id))

    def close(self) -> None:
        self._engine.dispose()


def format_gaps(rows: list[GapRow]) -> str:
    """A plain table for a terminal, week by week."""
    if not rows:
        return "Nothing counted yet."
    lines = [f"{'week':<10}  {'kind':<15}  {'count':>5}  nearest article / section (topic)"]
    for row in rows:
        where = f"{row.doc_id} / {row.section}" if row.doc_id else "(no section near)"
        topic = f" ({row.topic})" if row.topic else ""
        lines.append(f"{row.week.isoformat():<10}  {row.kind:<15}  {row.count:>5}  {where}{topic}")
    return "\n".join(lines)


def format_report(rows: list[ReportRow]) -> str:
    """A plain table for a terminal."""
    if not rows:
        return "No feedback yet."
    lines = [f"{'not helpful':>11}  {'helpful':>7}  article / section"]
    for row in rows:
        lines.append(f"{row.not_helpful:>11}  {row.helpful:>7}  {row.doc_id} / {row.section}")
    total_no = sum(r.not_helpful for r in rows)
    total_yes = sum(r.helpful for r in rows)
    lines.append(f"{total_no:>11}  {total_yes:>7}  total over {len(rows)} sections")
    return "\n".join(lines)
