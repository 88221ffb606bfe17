"""Deleting one person's conversation from Rasa's SQL tracker store (/forget).

Rasa's HTTP API can replace a tracker's events but not delete them, so the
gateway, which owns the deployment's configuration, deletes the rows itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def forget(db_path: Path, sender_id: str) -> int:
    """Delete every event Rasa stored for `sender_id`; returns how many."""
    if not db_path.exists():
        return 0
    with sqlite3.connect(db_path, timeout=10) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "events" not in tables:
            return 0
        cursor = connection.execute("DELETE FROM events WHERE sender_id = ?", (sender_id,))
        return cursor.rowcount
