"""A conversation as Rasa's tracker holds it: history for a reloaded chat, and forgetting.

Rasa's HTTP API can replace a tracker's events but not delete them, so the
gateway, which owns the deployment's configuration, deletes the rows itself:
`forget` in Rasa's SQLite file, `forget_in` in any SQLTrackerStore by URL
(PostgreSQL when Rasa runs replicated).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, create_engine, delete, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot.rasa.replies import normalize

# The part of Rasa's SQLTrackerStore table that forgetting needs
EVENTS = Table("events", MetaData(), Column("sender_id", String(255), index=True))

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
    if not db_path.exists():
        return 0
    connection = sqlite3.connect(db_path, timeout=10)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "events" not in tables:
            return 0
        with connection:
            deleted = connection.execute("DELETE FROM events WHERE sender_id = ?", (sender_id,))
        if connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted.rowcount
    finally:
        connection.close()


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
    if parsed.drivername == "postgresql":  # Rasa's own URLs name no driver; ours is psycopg 3
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, poolclass=NullPool)  # one connection, closed when done
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table(EVENTS.name):
                return 0
            result = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id == sender_id))
            return result.rowcount
    finally:
        engine.dispose()
