"""Versioned migrations of PeerPath's own tables (peerpath/migrations): a database the
previous release made is upgraded and loses nothing, on SQLite and PostgreSQL; every
migrated database matches the models; with AUTO_MIGRATE=0 a database that is behind
is refused with a clear message until `python -m bot migrate` upgrades it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from bot.handoff import store as handoff
from peerpath import feedback, migrations
from peerpath.errors import ConfigError
from peerpath.settings import PROJECT_ROOT
from tests.helpers.postgres import postgres_db_url, postgres_server  # noqa: F401

pytestmark = pytest.mark.servers

SCHEMAS = PROJECT_ROOT / "tests" / "fixtures" / "schemas"
OLD = "1d7feda"  # the release before migrations: its tables made by create_all
ROWS = [
    "INSERT INTO tickets VALUES ('T1', 'conv-1', 'telegram', '5551234', 'ended', '', 'benefits',"
    " true, true, '2026-11-01 10:00:00', '2026-11-01 10:02:00', '2026-11-01 10:30:00', false,"
    " 'sam', 'Sam', '', '', '', false)",
    "INSERT INTO ticket_messages (ticket_id, sender, text, created_at)"
    " VALUES ('T1', 'person', 'my letter says my ssdi stops', '2026-11-01 10:01:00')",
    "INSERT INTO outbox (ticket_id, target, kind, payload, attempts, next_attempt_at,"
    " last_error) VALUES ('T1', 'person', 'message', '{\"text\": \"hi\"}', 0,"
    " '2026-11-01 10:03:00', '')",
    "INSERT INTO section_feedback VALUES ('c1', '2026-11-01', 'wages', 'Pay', 3, 1)",
]


def old_schema(engine: Engine, dialect: str) -> None:
    """The previous release's tables, as it made them, with a row in each."""
    if dialect == "sqlite":
        sql = [(SCHEMAS / f"{n}-{OLD}.sqlite.sql").read_text() for n in ("handoff", "feedback")]
        statements = [s for script in sql for s in script.split(";")]
    else:
        script = (SCHEMAS / f"peerpath-{OLD}.postgresql.sql").read_text()
        statements = script.split(";\n")
    with engine.begin() as connection:
        for statement in statements:
            lines = [ln for ln in statement.splitlines() if ln and not ln.startswith("--")]
            if lines:
                connection.exec_driver_sql("\n".join(lines))
        if dialect == "postgresql":
            connection.exec_driver_sql("SET search_path TO public")
        for row in ROWS:
            connection.execute(text(row))


# What else may share a database with a store: the other store's tables, both version tables
NEIGHBOURS = {*handoff.Base.metadata.tables, *feedback.Base.metadata.tables}
NEIGHBOURS |= {migrations.HANDOFF.version_table, migrations.FEEDBACK.version_table}


def differences(engine: Engine, store: migrations.Store, metadata) -> list:  # type: ignore[no-untyped-def]
    """What autogenerate would change to make the database match `metadata` (nothing)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": store.version_table}
        )
        found = compare_metadata(context, metadata)
    neighbours = NEIGHBOURS - set(metadata.tables)

    def theirs(diff: tuple) -> bool:  # type: ignore[type-arg]
        if diff[0] == "remove_table":
            return diff[1].name in neighbours
        return diff[0] == "remove_index" and diff[1].table.name in neighbours

    return [d for d in found if not theirs(d)]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'peerpath.db'}"
    else:
        yield request.getfixturevalue("postgres_db_url").reveal()


def test_the_previous_releases_database_is_upgraded_and_loses_nothing(url: str) -> None:
    engine = create_engine(url)
    try:
        old_schema(engine, engine.dialect.name)
        assert migrations.current(engine, migrations.HANDOFF) is None
    finally:
        engine.dispose()
    store = handoff.HandoffStore(url)  # AUTO_MIGRATE's default: upgraded as it opens
    counts = feedback.FeedbackStore(url)
    try:
        ticket = store.get("T1")
        assert ticket is not None and ticket.peer_name == "Sam" and ticket.urgent
        assert [m.text for m in store.messages("T1")] == ["my letter says my ssdi stops"]
        assert store.pending_count() == 1
        assert [(r.doc_id, r.helpful, r.not_helpful) for r in counts.report()] == [("wages", 3, 1)]
        assert migrations.current(store.engine, migrations.HANDOFF) == migrations.head(
            migrations.HANDOFF
        )
        indexes = {i["name"] for i in inspect(store.engine).get_indexes("tickets")}
        assert "ix_tickets_closed_at" in indexes
        assert differences(store.engine, migrations.HANDOFF, handoff.Base.metadata) == []
    finally:
        store.close()
        counts.close()


def test_a_new_database_matches_the_models(url: str) -> None:
    store = handoff.HandoffStore(url)
    try:
        assert differences(store.engine, migrations.HANDOFF, handoff.Base.metadata) == []
    finally:
        store.close()
    counts = feedback.FeedbackStore(url)
    try:
        assert differences(counts._engine, migrations.FEEDBACK, feedback.Base.metadata) == []
    finally:
        counts.close()


def test_without_auto_migrate_a_database_behind_is_refused_until_migrated(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    engine = create_engine(f"sqlite:///{var / 'handoff.db'}")
    old_schema(engine, "sqlite")
    engine.dispose()
    with pytest.raises(ConfigError, match="make migrate"):
        handoff.HandoffStore(f"sqlite:///{var / 'handoff.db'}", auto_migrate=False)

    env = {**os.environ, "VAR_DIR": str(var), "AUTO_MIGRATE": "0"}
    done = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"handoff: no version -> {migrations.head(migrations.HANDOFF)}" in done.stdout
    store = handoff.HandoffStore(f"sqlite:///{var / 'handoff.db'}", auto_migrate=False)
    store.close()
    with sqlite3.connect(var / "handoff.db") as db:
        assert db.execute("SELECT COUNT(*) FROM ticket_messages").fetchone() == (1,)
    db.close()
    assert "Traceback" not in done.stderr


def test_the_next_release_starts_from_a_migrated_database(tmp_path: Path) -> None:
    """Opening an up-to-date database again changes nothing (no second stamp or upgrade)."""
    url = f"sqlite:///{tmp_path / 'handoff.db'}"
    handoff.HandoffStore(url).close()
    store = handoff.HandoffStore(url, auto_migrate=False)
    try:
        assert migrations.current(store.engine, migrations.HANDOFF) == migrations.head(
            migrations.HANDOFF
        )
    finally:
        store.close()
