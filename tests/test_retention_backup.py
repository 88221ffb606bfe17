"""Retention and backups over the real stack (Rasa, the action server, the gateway, SQLite):
what is older than RETENTION_DAYS goes and the rest stays, the team's counts remain;
a backup restored into a fresh place serves the old hand-off history."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.handoff.store import HandoffStore
from peerpath.settings import PROJECT_ROOT
from tests.helpers.gateway import handoff_env, say, session_key, stack_gateway, staff
from tests.helpers.stack import Stack
from tests.test_handoff_e2e import ask_for_a_peer

pytestmark = pytest.mark.slow

DAY = 24 * 60 * 60


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot …` as an operator runs it, with the test stack's settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={**os.environ, **env}, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def var(tmp_path: Path) -> Path:
    (tmp_path / "var").mkdir()
    return tmp_path / "var"


@pytest.fixture
def gateway(stack: Stack, knowledge_index, safety_net, var: Path) -> Iterator[TestClient]:
    with stack_gateway(stack, knowledge_index, safety_net, **handoff_env(stack, var)) as client:
        yield client


def conv(client: TestClient, name: str) -> str:
    return client.app.state.services.conversations.conversation_id("web", session_key(client, name))


def events_of(stack: Stack, sender: str) -> int:
    with sqlite3.connect(stack.settings.rasa_tracker_db) as db:
        found = db.execute("SELECT COUNT(*) FROM events WHERE sender_id=?", (sender,)).fetchone()
    db.close()
    return int(found[0])


def end_ticket(client: TestClient, name: str) -> str:
    ask_for_a_peer(client, name)
    mine = conv(client, name)
    store: HandoffStore = client.app.state.services.handoff.store
    (ticket,) = store.tickets_for(mine)
    assert client.post(f"/api/staff/tickets/{ticket.id}/end", headers=staff()).is_success
    return ticket.id


def test_retention_deletes_old_conversations_and_transcripts_and_keeps_the_rest(
    gateway: TestClient, stack: Stack, var: Path
) -> None:
    # a conversation Rasa wrote, then aged: as if it happened 120 days ago
    say(gateway, "retention-old-chat", "what does a vocational peer specialist do")
    old_chat = conv(gateway, "retention-old-chat")
    with sqlite3.connect(stack.settings.rasa_tracker_db) as db:
        db.execute("UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?",
                   (120 * DAY, old_chat))  # fmt: skip
    db.close()
    assert events_of(stack, old_chat) >= 2
    old_ticket = end_ticket(gateway, "retention-old-peer")
    new_ticket = end_ticket(gateway, "retention-new-peer")
    store: HandoffStore = gateway.app.state.services.handoff.store
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=100)
    store.change(old_ticket, closed_at=long_ago, created_at=long_ago)  # it ended long ago
    old_peer_events = events_of(stack, conv(gateway, "retention-old-peer"))

    done = cli(handoff_env(stack, var), "retention")
    assert done.returncode == 0, done.stderr
    assert "conversations: 1" in done.stdout and "tickets: 1" in done.stdout, done.stdout

    assert events_of(stack, old_chat) == 0
    # a recent conversation stays whole, even one whose hand-off ended long ago
    assert events_of(stack, conv(gateway, "retention-old-peer")) == old_peer_events > 0
    old, new = store.get(old_ticket), store.get(new_ticket)
    assert old is not None and new is not None, "the tickets stay, for the team's counts"
    assert (old.conv_id, old.address, store.messages(old_ticket)) == ("", "", [])
    assert new.conv_id and store.messages(new_ticket)

    again = cli(handoff_env(stack, var), "retention")
    assert "conversations: 0" in again.stdout and "tickets: 0" in again.stdout


def test_retention_zero_keeps_everything(stack: Stack, var: Path) -> None:
    done = cli(handoff_env(stack, var, RETENTION_DAYS="0"), "retention")
    assert done.returncode == 0 and "nothing was deleted" in done.stdout


def test_a_backup_restored_into_a_fresh_place_serves_the_old_handoff_history(
    gateway: TestClient, stack: Stack, knowledge_index, safety_net, var: Path, tmp_path: Path
) -> None:
    ask_for_a_peer(gateway, "backup-person")
    person = conv(gateway, "backup-person")
    (ticket,) = gateway.get("/api/staff/tickets", headers=staff()).json()["tickets"]
    said = gateway.get(f"/api/staff/tickets/{ticket['id']}", headers=staff()).json()["messages"]

    made = cli(handoff_env(stack, var), "backup", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {p["name"] for p in manifest["parts"]} >= {"handoff", "tracker"}
    assert folder.stat().st_mode & 0o077 == 0, "a backup is its owner's alone"
    assert all((folder / p["file"]).stat().st_mode & 0o077 == 0 for p in manifest["parts"])

    fresh = tmp_path / "fresh"
    fresh_env = handoff_env(stack, fresh, RASA_TRACKER_DB=str(fresh / "rasa-tracker.db"))
    restored = cli(fresh_env, "restore", str(folder))
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(fresh / "rasa-tracker.db") as db:
        (events,) = db.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id=?", (person,)
        ).fetchone()
    db.close()
    assert events == events_of(stack, person) > 0

    with stack_gateway(stack, knowledge_index, safety_net, **handoff_env(stack, fresh)) as second:
        tickets = second.get("/api/staff/tickets", headers=staff()).json()["tickets"]
        assert [t["id"] for t in tickets] == [ticket["id"]]
        again = second.get(f"/api/staff/tickets/{ticket['id']}", headers=staff()).json()
        assert again["messages"] == said


def test_a_damaged_backup_is_refused_and_nothing_is_changed(
    gateway: TestClient, stack: Stack, var: Path, tmp_path: Path
) -> None:
    ask_for_a_peer(gateway, "damaged-backup")
    assert cli(handoff_env(stack, var), "backup", str(tmp_path / "b")).returncode == 0
    (folder,) = (tmp_path / "b").iterdir()
    with (folder / "handoff.db").open("r+b") as handle:
        handle.seek(200)
        handle.write(b"damage")
    fresh = tmp_path / "fresh"
    refused = cli(handoff_env(stack, fresh), "restore", str(folder))
    assert refused.returncode == 1
    assert "handoff.db does not match the backup's manifest" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (fresh / "handoff.db").exists()
