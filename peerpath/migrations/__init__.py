"""Versioned schema changes (Alembic) for PeerPath's own stores.

Two stores, each with its scripts and its own version table, so both may share
one database (the cluster's `peerpath`):
- the hand-off store (tickets, their messages, the outbox): bot/handoff/migrations
- the feedback counts: peerpath/migrations/feedback

`upgrade` brings a database to the newest revision, in one transaction. A
database an earlier release made with `create_all` (its tables there, no
version table) is stamped at the baseline first, which is exactly that schema
(tests/fixtures/schemas/), and upgraded from there: nothing in it is lost. On
PostgreSQL an advisory lock keeps two processes starting together from
migrating at once. The gateway and the action server upgrade at start-up when
AUTO_MIGRATE=1 (the default); otherwise they refuse a database that is behind
and `make migrate` (`python -m bot migrate`) upgrades it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection, Engine

from peerpath.errors import ConfigError
from peerpath.settings import PROJECT_ROOT

BASELINE = "0001"


@dataclass(frozen=True)
class Store:
    """One store's migrations: where its scripts are, its version table, its lock."""

    name: str
    scripts: Path
    version_table: str
    baseline_tables: tuple[str, ...]  # what an earlier release made with create_all
    lock: int  # a PostgreSQL advisory lock id


HANDOFF = Store(
    "handoff",
    PROJECT_ROOT / "bot" / "handoff" / "migrations",
    "alembic_version_handoff",
    ("tickets", "ticket_messages", "outbox"),
    0x50454552,
)
FEEDBACK = Store(
    "feedback",
    Path(__file__).resolve().parent / "feedback",
    "alembic_version_feedback",
    ("section_feedback",),
    0x50454553,
)


def _config(store: Store, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(store.scripts))
    config.attributes["connection"] = connection
    config.attributes["version_table"] = store.version_table
    return config


def head(store: Store) -> str:
    """The newest revision of `store`'s scripts."""
    found = ScriptDirectory.from_config(_config(store)).get_current_head()
    assert found is not None, f"{store.name} has no migrations"
    return found


def current(engine: Engine, store: Store) -> str | None:
    """The revision the database is at (None: not under migrations yet)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": store.version_table}
        )
        return context.get_current_revision()


def upgrade(engine: Engine, store: Store) -> str:
    """Bring the database to the newest revision; returns it."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(store.lock)))
        config = _config(store, connection)
        found = inspect(connection)
        made_by_create_all = all(found.has_table(t) for t in store.baseline_tables)
        if made_by_create_all and not found.has_table(store.version_table):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
    return head(store)


def ready(engine: Engine, store: Store, auto: bool) -> None:
    """At start-up: upgrade (`auto`), or refuse a database that is behind."""
    if auto:
        upgrade(engine, store)
        return
    at, newest = current(engine, store), head(store)
    if at != newest:
        raise ConfigError(
            "AUTO_MIGRATE",
            f"the {store.name} database is at revision {at or 'none'}, this release needs "
            f"{newest}: run `make migrate` (or set AUTO_MIGRATE=1)",
        )


def run_env(context: Any) -> None:
    """Each store's env.py: run its migrations on the connection `upgrade` passes."""
    config = context.config
    context.configure(
        connection=config.attributes["connection"],
        version_table=config.attributes["version_table"],
        render_as_batch=True,  # SQLite alters a table by copying it
    )
    with context.begin_transaction():
        context.run_migrations()
