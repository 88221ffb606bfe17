"""A conversation as Rasa's tracker holds it: history for a reloaded chat, forgetting
one person, and retention (conversations older than RETENTION_DAYS).

Rasa's HTTP API can replace a tracker's events but not delete them, so the
gateway, which owns the deployment's configuration, deletes the rows itself:
`forget` in Rasa's SQLite file, `forget_in` in any SQLTrackerStore by URL
(PostgreSQL when Rasa runs replicated).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from bot.rasa.replies import normalize

# The part of Rasa's SQLTrackerStore table that forgetting and retention need
EVENTS = Table(
    "events",
    MetaData(),
    Column("sender_id", String(255), index=True),
    Column("timestamp", Float),
)

# (timestamp, {"from": "me" | "bot" | "peer", "text", ...}) in time order
HistoryItem = tuple[float, dict[str, Any]]


def history_items(events: list[dict[str, Any]]) -> list[HistoryItem]:
    """What was said with the assistant since the last "start over"; payloads left out."""
    start = max((i for i, e in enumerate(events) if e.get("event") == "restart"), default=-1)
    items: list[HistoryItem] = []
    for event in events[start + 1 :]:
        stamp = float(event.get("timestamp") or 0)
        if event.get("event") == "user":
            text = str(event.get("text") or "")
            if text and not text.startswith("/"):
                items.append((stamp, {"from": "me", "text": text}))
        elif event.get("event") == "bot":
            data = event.get("data") or {}
            entry = {"text": event.get("text"), "buttons": data.get("buttons")}
            if isinstance(data.get("custom"), dict):
                entry["custom"] = data["custom"]
            for message in normalize([entry]):
                items.append((stamp, {"from": "bot", **message.to_dict()}))
    return items


def forget(db_path: Path, sender_id: str) -> int:
    """Delete every event Rasa stored for `sender_id`; returns how many.

    With secure_delete the deleted rows are overwritten with zeros, so the
    text is gone from the file too, not only from the table.
    """
    return _delete_in_file(db_path, "sender_id = ?", (sender_id,))[0]


def sweep(db_path: Path, before: float) -> Swept:
    """Delete every conversation whose last event is older than `before` (a Unix time),
    scrubbed from the file as `forget` does; returns how many events and conversations."""
    return _delete_in_file(db_path, _STALE_SQL, (before,))


def forget_in(url: str, sender_id: str) -> int:
    """Delete every event Rasa stored for `sender_id` in the tracker database at `url`.

    `url` is a SQLAlchemy URL of the database Rasa's SQLTrackerStore writes
    (`postgresql+psycopg://…/rasa`; a bare `postgresql://` gets psycopg 3, the
    driver the gateway has); a `sqlite:///` one goes to `forget`, so
    the file is scrubbed the same way. Returns how many events were deleted,
    0 when Rasa hasn't made its table yet. On PostgreSQL the rows are gone
    for every query at once; their bytes stay on disk until VACUUM's freed
    space is reused (see HandoffStore.wipe_free_space). Synchronous: run it
    in a worker thread.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return forget(Path(parsed.database or ""), sender_id) if parsed.database else 0
    return _delete_in_url(parsed, EVENTS.c.sender_id == sender_id)[0]


def sweep_in(url: str, before: float) -> Swept:
    """`sweep` in the tracker database at `url` (as `forget_in` does `forget`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sweep(Path(parsed.database or ""), before) if parsed.database else (0, 0)
    stale = (
        select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(func.max(EVENTS.c.timestamp) < before)
    )
    return _delete_in_url(parsed, EVENTS.c.sender_id.in_(stale))


# (events deleted, conversations they belonged to)
Swept = tuple[int, int]
_STALE_SQL = (
    "sender_id IN (SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?)"
)


def _delete_in_file(db_path: Path, where: str, params: tuple[Any, ...]) -> Swept:
    """`where` is one of this module's own clauses; values only ever come in `params`."""
    if not db_path.exists():
        return 0, 0
    connection = sqlite3.connect(db_path, timeout=10)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "events" not in tables:
            return 0, 0
        with connection:
            query = f"SELECT COUNT(DISTINCT sender_id) FROM events WHERE {where}"
            conversations = connection.execute(query, params).fetchone()[0]
            deleted = connection.execute(f"DELETE FROM events WHERE {where}", params)
        if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted.rowcount, conversations
    finally:
        connection.close()


def _delete_in_url(parsed: URL, where: ColumnElement[bool]) -> Swept:
    if parsed.drivername == "postgresql":  # Rasa's own URLs name no driver; ours is psycopg 3
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, poolclass=NullPool)  # one connection, closed when done
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table(EVENTS.name):
                return 0, 0
            senders = select(func.count(func.distinct(EVENTS.c.sender_id))).where(where)
            conversations = int(connection.execute(senders).scalar() or 0)
            result = connection.execute(delete(EVENTS).where(where))
            return result.rowcount, conversations
    finally:
        engine.dispose()
