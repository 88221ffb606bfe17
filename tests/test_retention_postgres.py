"""Retention and backups on a real PostgreSQL, as the cluster keeps its data: the hand-off
store's sweep and Rasa's tracker rows, pg_dump into a backup and pg_restore into a
fresh database."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, insert, select

from bot import backup
from bot.handoff.store import HandoffStore, Ticket, new_ticket_id
from bot.rasa.tracker import sweep_in
from peerpath.settings import Secret, Settings
from supervisor.postgres_server import PostgresServer
from tests.helpers.postgres import postgres_db_url, postgres_server  # noqa: F401
from tests.test_handoff_postgres import rasa_events_table

pytestmark = pytest.mark.servers

DAY = 24 * 60 * 60


@pytest.fixture
def url(postgres_db_url: Secret) -> str:  # noqa: F811
    return postgres_db_url.reveal()


@pytest.fixture
def second_url(postgres_server: PostgresServer) -> Iterator[str]:  # noqa: F811
    name = f"restore_{secrets.token_hex(5)}"
    postgres_server.create_database(name)
    yield postgres_server.url(name).reveal()
    postgres_server.drop_database(name)


def closed_ticket(store: HandoffStore, conv: str, closed_days_ago: float) -> str:
    closed = dt.datetime.now(dt.UTC) - dt.timedelta(days=closed_days_ago)
    ticket = store.add(Ticket(id=new_ticket_id(), conv_id=conv, channel="telegram",
                              address="5551234", state="ended", closed_at=closed))  # fmt: skip
    store.add_message(ticket.id, "person", f"words of {conv}")
    return ticket.id


def test_the_sweep_on_postgresql_keeps_counts_and_recent_conversations(url: str) -> None:
    store = HandoffStore(url)
    try:
        old, recent = closed_ticket(store, "old", 100), closed_ticket(store, "recent", 2)
        before = dt.datetime.now(dt.UTC) - dt.timedelta(days=90)
        assert store.sweep(before)["tickets"] == 1
        gone, kept = store.get(old), store.get(recent)
        assert gone is not None and (gone.conv_id, gone.address) == ("", "")
        assert store.messages(old) == [] and store.messages(recent)
        assert kept is not None and kept.conv_id == "recent"
        assert store.sweep(before)["tickets"] == 0
    finally:
        store.close()

    events = rasa_events_table()
    engine = create_engine(url)
    try:
        events.create(engine)
        now = time.time()
        rows = [("old", now - 120 * DAY), ("old", now - 100 * DAY),
                ("long", now - 200 * DAY), ("long", now - DAY), ("new", now)]  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(events), [
                {"sender_id": s, "type_name": "user", "timestamp": t, "data": "{}"} for s, t in rows
            ])  # fmt: skip
        assert sweep_in(url, now - 90 * DAY) == (2, 1), "only the conversation last used long ago"
        with engine.connect() as connection:
            left = connection.execute(
                select(events.c.sender_id, func.count()).group_by(events.c.sender_id)
            ).all()
        assert sorted(left) == [("long", 2), ("new", 1)]
    finally:
        engine.dispose()


def test_a_postgresql_backup_restores_into_a_fresh_database(
    url: str, second_url: str, tmp_path
) -> None:
    store = HandoffStore(url)
    ticket = closed_ticket(store, "kept", 1)
    store.close()
    env = {"VAR_DIR": str(tmp_path / "var"), "HANDOFF_DB_URL": url, "RASA_TRACKER_URL": url,
           "FEEDBACK_DB_URL": url}  # fmt: skip
    folder = backup.backup(Settings.from_env(env), tmp_path / "backups")
    assert sorted(p.name for p in folder.iterdir()) == [
        "feedback.dump",
        "handoff.dump",
        "manifest.json",
        "tracker.dump",
    ]
    password = Settings.from_env(env).handoff.db_url.reveal().split(":")[2].split("@")[0]
    assert all(password.encode() not in p.read_bytes() for p in folder.iterdir())

    fresh = {**env, "HANDOFF_DB_URL": second_url, "RASA_TRACKER_URL": second_url,
             "FEEDBACK_DB_URL": second_url}  # fmt: skip
    restored = backup.restore(Settings.from_env(fresh), folder)
    assert restored == ["handoff", "tracker", "feedback"]
    again = HandoffStore(second_url)
    try:
        assert [m.text for m in again.messages(ticket)] == ["words of kept"]
    finally:
        again.close()
    assert "PGPASSWORD" not in os.environ, "the password went to pg_dump's environment only"
