"""The hand-off store on a real PostgreSQL: everything SQLite does, and two gateways sharing it."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    inspect,
    select,
)

from bot.handoff.outbox import Outbox
from bot.handoff.store import HandoffStore, Ticket, aware, new_ticket_id, now
from bot.rasa.tracker import forget_in
from peerpath.settings import Secret
from supervisor.postgres_server import PostgresError, PostgresServer
from tests.helpers.net import free_port
from tests.helpers.postgres import postgres_db_url, postgres_server  # noqa: F401

pytestmark = pytest.mark.servers

T = TypeVar("T")


@pytest.fixture
def url(postgres_db_url: Secret) -> str:  # noqa: F811
    return postgres_db_url.reveal()


@pytest.fixture
def gateways(url: str) -> Iterator[tuple[HandoffStore, HandoffStore]]:
    """The stores of two gateways sharing one database."""
    first, second = HandoffStore(url), HandoffStore(url)
    yield first, second
    first.close()
    second.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HandoffStore]:
    """The store on the embedded default and on PostgreSQL: one behaviour."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'handoff.db'}"
    else:
        url = request.getfixturevalue("postgres_db_url").reveal()
    store = HandoffStore(url)
    yield store
    store.close()


def ticket(
    store: HandoffStore, conv: str = "w-conv", channel: str = "web", **values: Any
) -> Ticket:
    return store.add(
        Ticket(id=new_ticket_id(), conv_id=conv, channel=channel, state="waiting", **values)
    )


def together(*calls: Callable[[], T]) -> list[T]:
    """Run the calls in threads released at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


# --- the server itself -----------------------------------------------------------------


def all_command_lines() -> str:
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
    return "\n".join(lines)


def test_a_server_that_cannot_start_leaves_nothing_running(
    postgres_server: PostgresServer,  # noqa: F811
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="peerpath-postgres-"))
    os.chmod(folder, 0o711)
    second = PostgresServer(folder / "pg", postgres_server.port, durable=False, start_timeout=10)
    try:
        with pytest.raises(PostgresError):
            second.start()  # the port is taken
        assert not second.running()
        assert str(second.directory) not in all_command_lines()

        again = PostgresServer(folder / "pg", free_port(), durable=False)
        with again:  # the data directory is kept: no second initdb
            assert again.running()
            password = again.password().reveal()
            assert password not in repr(again) + repr(again.url()) + all_command_lines()
        assert not again.running()
    finally:
        second.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- one store: the same behaviour on both databases ------------------------------


def test_a_hand_off_keeps_tickets_messages_and_deliveries(store: HandoffStore) -> None:
    mine = ticket(store, "w-me", address="addr-1")
    other = ticket(store, "w-other", urgent=True)
    assert store.open_ticket_for("w-me").id == mine.id  # type: ignore[union-attr]
    assert [t.id for t in store.list_open()] == [other.id, mine.id], "urgent first"
    created = aware(store.get(mine.id).created_at)  # type: ignore[union-attr]
    assert created is not None and abs((now() - created).total_seconds()) < 60
    assert store.change(mine.id, stage="message").stage == "message"  # type: ignore[union-attr]
    assert {t.id for t in store.waiting_since(now() + dt.timedelta(seconds=5))} == {
        mine.id,
        other.id,
    }
    assert store.waiting_since(now() - dt.timedelta(hours=1)) == []

    said = [("person", "hello"), ("system", "a note"), ("peer", "hi, I'm Sam")]
    for sender, text in said:
        store.add_message(mine.id, sender, text)
    messages = store.messages(mine.id)
    assert [(m.sender, m.text) for m in messages] == said
    assert [m.id for m in messages] == sorted(m.id for m in messages)
    assert store.message_count(mine.id) == 2, "PeerPath's own notes are not counted"
    assert store.message_count(mine.id, ("person",)) == 1

    assert store.claim(mine.id, "console:Sam", "Sam") is True
    assert store.claim(mine.id, "console:Alex", "Alex") is False
    claimed = store.get(mine.id)
    assert claimed is not None and claimed.peer_name == "Sam" and claimed.state == "claimed"
    claimed_at = aware(claimed.claimed_at)
    assert claimed_at is not None and claimed_at >= created
    assert [t.id for t in store.tickets_for("w-me")] == [mine.id]

    payload = {"messages": [{"text": "Sam: ¿qué tal? ✓", "buttons": [{"title": "Yes"}]}]}
    store.enqueue(mine.id, "person", "message", payload)
    [item] = store.due()
    assert item.payload == payload
    assert store.pending_count() == 1

    assert store.forget("w-me") == {"tickets": 1, "messages": 3}
    assert store.get(mine.id) is None and store.messages(mine.id) == []
    assert store.pending_count() == 0
    assert store.get(other.id) is not None


def test_a_claimed_item_is_leased_not_due(store: HandoffStore) -> None:
    t = ticket(store)
    store.enqueue(t.id, "staff", "new_ticket", {"n": 1})
    [item] = store.claim_due(lease_seconds=60)
    assert store.due() == [] and store.claim_due() == [], "leased: nobody else takes it"
    assert aware(item.next_attempt_at) > now() + dt.timedelta(seconds=50)  # type: ignore[operator]
    assert store.renew(item, 120) is True
    store.failed(item.id, "network down", retry_in=0)
    [again] = store.claim_due()
    assert again.id == item.id and again.attempts == 1 and again.last_error == "network down"
    store.delivered(item.id)
    assert store.pending_count() == 0 and store.renew(again) is False


# --- PostgreSQL's own shape ---------------------------------------------------------


def test_the_tables_use_postgresqls_types(gateways: tuple[HandoffStore, HandoffStore]) -> None:
    columns = {c["name"]: c for c in inspect(gateways[0].engine).get_columns("outbox")}
    assert type(columns["payload"]["type"]).__name__ == "JSON"
    assert columns["next_attempt_at"]["type"].timezone is True  # type: ignore[attr-defined]
    assert type(columns["id"]["type"]).__name__ == "BIGINT"
    assert "nextval" in str(columns["id"]["default"])
    store = gateways[0]
    t = ticket(store)
    assert store.get(t.id).created_at.tzinfo is not None  # type: ignore[union-attr]


def test_two_gateways_starting_together_make_the_tables_once(url: str) -> None:
    stores = together(*[lambda: HandoffStore(url)] * 4)
    assert set(inspect(stores[0].engine).get_table_names()) >= {"tickets", "outbox"}
    for store in stores:
        store.close()


# --- two gateways ---------------------------------------------------------------------


def test_only_one_of_two_peers_gets_a_ticket(gateways: tuple[HandoffStore, HandoffStore]) -> None:
    first, second = gateways
    for _ in range(20):
        t = ticket(first)
        results = together(
            partial(first.claim, t.id, "console:Sam", "Sam"),
            partial(second.claim, t.id, "tg:42", "Alex"),
        )
        assert sorted(results) == [False, True]
        winner = first.get(t.id)
        assert winner is not None and winner.peer_name == ("Sam" if results[0] else "Alex")


def test_claims_from_two_gateways_never_overlap(
    gateways: tuple[HandoffStore, HandoffStore],
) -> None:
    first, second = gateways
    t = ticket(first)
    for i in range(200):
        first.enqueue(t.id, "staff", "person_message", {"n": i})

    def claim_all(store: HandoffStore) -> list[int]:
        taken: list[int] = []
        while batch := store.claim_due(limit=7):
            taken += [item.id for item in batch]
        return taken

    mine, theirs = together(lambda: claim_all(first), lambda: claim_all(second))
    assert not set(mine) & set(theirs)
    assert len(mine) + len(theirs) == 200 and mine and theirs
    assert first.due() == [] and first.pending_count() == 200, "leased, not yet delivered"


def test_two_gateways_deliver_every_item_exactly_once(
    gateways: tuple[HandoffStore, HandoffStore],
) -> None:
    t = ticket(gateways[0], channel="web")
    for i in range(100):
        gateways[0].enqueue(t.id, "person", "message", {"messages": [{"text": f"p{i}"}]})
        gateways[1].enqueue(t.id, "staff", "person_message", {"text": f"s{i}"})
    received: list[tuple[str, str]] = []  # (gateway, text)

    def gateway(name: str, store: HandoffStore) -> None:
        outbox = Outbox(store, batch=10)

        async def to_person(ticket: Ticket, messages: list[dict[str, Any]]) -> None:
            await asyncio.sleep(0.001)
            received.append((name, messages[0]["text"]))

        async def to_staff(ticket: Ticket, kind: str, payload: dict[str, Any]) -> str | None:
            await asyncio.sleep(0.001)
            received.append((name, payload["text"]))
            return None

        outbox.people["web"] = to_person
        outbox.staff.append(to_staff)

        async def drain() -> None:
            deadline = time.monotonic() + 60
            while store.pending_count() and time.monotonic() < deadline:
                if not await outbox.deliver_due():
                    await asyncio.sleep(0.01)

        asyncio.run(drain())

    together(lambda: gateway("a", gateways[0]), lambda: gateway("b", gateways[1]))
    counts = collections.Counter(text for _, text in received)
    expected = {f"p{i}" for i in range(100)} | {f"s{i}" for i in range(100)}
    assert set(counts) == expected, "none lost"
    assert max(counts.values()) == 1, "none twice"
    assert {name for name, _ in received} == {"a", "b"}, "both gateways delivered"
    assert gateways[0].pending_count() == 0


async def test_a_crashed_gateways_items_are_sent_by_the_other_after_the_lease(
    gateways: tuple[HandoffStore, HandoffStore],
) -> None:
    crashed, alive = gateways
    t = ticket(crashed)
    crashed.enqueue(t.id, "person", "message", {"messages": [{"text": "Sam: are you there?"}]})
    [held] = crashed.claim_due(lease_seconds=1)  # ... and the gateway dies before sending it
    outbox = Outbox(alive)
    received: list[str] = []

    async def to_person(ticket: Ticket, messages: list[dict[str, Any]]) -> None:
        received.append(messages[0]["text"])

    outbox.people["web"] = to_person
    assert await outbox.deliver_due() == 0, "still leased to the crashed gateway"
    await asyncio.sleep(1.1)
    assert await outbox.deliver_due() == 1
    assert received == ["Sam: are you there?"]
    assert alive.pending_count() == 0
    assert crashed.renew(held) is False, "a gateway back from the dead can't send it again"


def test_a_lost_lease_cannot_be_renewed(gateways: tuple[HandoffStore, HandoffStore]) -> None:
    slow, quick = gateways
    t = ticket(slow)
    slow.enqueue(t.id, "staff", "new_ticket", {})
    [stale] = slow.claim_due(lease_seconds=0.2)
    time.sleep(0.3)
    [taken] = quick.claim_due(lease_seconds=60)
    assert taken.id == stale.id
    assert slow.renew(stale) is False, "another gateway holds it now"
    assert quick.renew(taken) is True


async def test_a_slow_batch_renews_its_leases(gateways: tuple[HandoffStore, HandoffStore]) -> None:
    first, second = gateways
    t = ticket(first)
    for i in range(4):
        first.enqueue(t.id, "person", "message", {"messages": [{"text": f"m{i}"}]})
    received: list[str] = []

    def outbox(store: HandoffStore) -> Outbox:
        box = Outbox(store, batch=4, lease_seconds=1.0)

        async def slow(ticket: Ticket, messages: list[dict[str, Any]]) -> None:
            await asyncio.sleep(0.3)  # four of these outlast one lease
            received.append(messages[0]["text"])

        box.people["web"] = slow
        return box

    async def poll(box: Outbox) -> None:
        while first.pending_count():
            await box.deliver_due()
            await asyncio.sleep(0.05)

    await asyncio.gather(outbox(first).deliver_due(), poll(outbox(second)))
    assert sorted(received) == ["m0", "m1", "m2", "m3"]


# --- Rasa's tracker store on PostgreSQL -------------------------------------------------


def rasa_events_table() -> Table:
    """The shape of Rasa 3.6's SQLTrackerStore table."""
    return Table(
        "events", MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False, index=True),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )  # fmt: skip


def test_forget_in_deletes_one_persons_rasa_events(url: str) -> None:
    assert forget_in(url, "conv-a") == 0, "Rasa has not made its table yet"
    events = rasa_events_table()
    engine = create_engine(url)
    try:
        events.create(engine)
        with engine.begin() as connection:
            connection.execute(
                insert(events),
                [
                    {"sender_id": sender, "type_name": "user", "timestamp": float(i),
                     "data": '{"text": "private words"}'}
                    for i, sender in enumerate(["conv-a", "conv-b", "conv-a", "conv-a", "conv-b"])
                ],
            )  # fmt: skip
        assert forget_in(url, "conv-a") == 3
        assert forget_in(url.replace("+psycopg", ""), "conv-z") == 0, "a driverless URL works"
        assert forget_in(url, "conv-a") == 0
        with engine.connect() as connection:
            left = connection.execute(
                select(events.c.sender_id, func.count()).group_by(events.c.sender_id)
            ).all()
        assert left == [("conv-b", 2)]
    finally:
        engine.dispose()


def test_forget_in_on_a_sqlite_url_scrubs_the_file_as_before(tmp_path: Path) -> None:
    path = tmp_path / "rasa.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)")
        connection.executemany("INSERT INTO events (sender_id) VALUES (?)", [("a",), ("b",)])
    connection.close()
    assert forget_in(f"sqlite:///{path}", "a") == 1
    assert forget_in(f"sqlite:///{tmp_path / 'missing.db'}", "a") == 0
