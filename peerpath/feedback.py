"""Helpful / not helpful counts per knowledge section, for content owners.

Only counts are kept: which section, which day, how many yes and no. No
message text, no conversation id. `python -m bot feedback-report` prints them.
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

    def close(self) -> None:
        self._engine.dispose()


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
