"""Hand-off persistence: tickets, relayed messages and the delivery outbox.

SQLite by default (a file under VAR_DIR, one gateway), PostgreSQL by URL
(`postgresql+psycopg://…`, any number of gateways sharing it); SQLAlchemy 2.
Everything a hand-off needs survives a gateway restart. Calls are short and
synchronous; the async service runs them in a worker thread.

Shared by several gateways, two steps must not be done twice: a peer taking
a ticket (`claim`, a conditional UPDATE) and sending an outbox item
(`claim_due`, rows locked with FOR UPDATE SKIP LOCKED and leased). Leases
are times from the gateways' own clocks, so those clocks must agree (NTP)
to well within a lease.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CursorResult,
    DateTime,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from peerpath import migrations
from peerpath.protocol import CLOSED_STATES, OPEN_STATES, TicketState

# Outbox and message ids: BIGSERIAL on PostgreSQL; SQLite's autoincrement needs INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")
LEASE_SECONDS = 60.0  # how long a claimed outbox item is this gateway's alone


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands datetimes back naive; they were stored in UTC (PostgreSQL's are aware)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    conv_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    # Where to deliver to the person on their channel (a Telegram chat id);
    # never logged, deleted by /forget.
    address: Mapped[str] = mapped_column(String(128), default="")
    state: Mapped[str] = mapped_column(String(16), index=True)
    # TicketState; Stage: the person-side step while nobody has joined
    stage: Mapped[str] = mapped_column(String(16), default="")
    topic: Mapped[str] = mapped_column(String(32), default="other")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    in_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    wait_notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    peer_id: Mapped[str] = mapped_column(String(64), default="")
    peer_name: Mapped[str] = mapped_column(String(64), default="")
    callback_message: Mapped[str] = mapped_column(Text, default="")
    callback_contact: Mapped[str] = mapped_column(String(300), default="")
    # the staff-side handle (e.g. the Telegram message id of the ticket card)
    staff_ref: Mapped[str] = mapped_column(String(64), default="")
    rasa_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    lang: Mapped[str] = mapped_column(String(8), default="en")  # the person's language
    # how the person rated the peer chat (1-5), if they did
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # when an urgent ticket nobody claimed was last posted to staff again
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TicketMessage(Base):
    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(16))  # person | peer | system
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class OutboxItem(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(String(16), index=True)
    target: Mapped[str] = mapped_column(String(16))  # person | staff
    kind: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    last_error: Mapped[str] = mapped_column(String(200), default="")


class StaffAccount(Base):
    """A peer or lead who signs in to the console with a token; only its hash is kept."""

    __tablename__ = "staff_accounts"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))  # peer | lead
    token_hash: Mapped[str] = mapped_column(String(64), index=True, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class StaffAction(Base):
    """The audit trail: who did what to which ticket or account, and when; never text."""

    __tablename__ = "staff_actions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))
    ticket_id: Mapped[str] = mapped_column(String(16), default="")
    target: Mapped[str] = mapped_column(String(64), default="")


class TicketNote(Base):
    """A note peers leave on a ticket for each other; never shown to the person."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class SavedReply(Base):
    """A reply the team uses often ("What WIPA is", "Our hours"), kept by leads."""

    __tablename__ = "saved_replies"

    title: Mapped[str] = mapped_column(String(80), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="")  # "" = any language
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class SharedList(Base):
    """A counselor's list of passages and directory entries for a client, behind an
    unguessable link until it expires. No client name or data: items by id, and a short
    note the counselor writes."""

    __tablename__ = "shared_lists"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    items: Mapped[str] = mapped_column(Text)  # JSON: [{"kind": "passage"|"resource", "id"}]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


def new_ticket_id() -> str:
    return "T" + secrets.token_hex(3).upper()


class HandoffStore:
    """Short transactions over the hand-off tables.

    On PostgreSQL each gateway keeps a bounded pool of connections
    (`pool_size` plus up to `max_overflow` more under load), each checked
    before use so a restarted database costs one failed request, not a
    pool of dead connections.
    """

    def __init__(
        self, url: str, pool_size: int = 5, max_overflow: int = 5, auto_migrate: bool = True
    ) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if make_url(url).get_backend_name() == "postgresql":
            options = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_pre_ping": True}
        self.engine: Engine = create_engine(url, future=True, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        # the tables come from versioned migrations (two gateways starting together
        # take turns: peerpath/migrations)
        migrations.ready(self.engine, migrations.HANDOFF, auto_migrate)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def open_ticket_for(self, conv_id: str) -> Ticket | None:
        with self.session() as s:
            return s.scalars(
                select(Ticket)
                .where(Ticket.conv_id == conv_id, Ticket.state.in_(OPEN_STATES))
                .order_by(Ticket.created_at.desc())
            ).first()

    def get(self, ticket_id: str) -> Ticket | None:
        with self.session() as s:
            return s.get(Ticket, ticket_id)

    def add(self, ticket: Ticket) -> Ticket:
        with self.session() as s:
            s.add(ticket)
        return ticket

    def change(self, ticket_id: str, **values: Any) -> Ticket | None:
        """Update columns of one ticket and return it."""
        with self.session() as s:
            s.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))
            return s.get(Ticket, ticket_id)

    def claim(self, ticket_id: str, peer_id: str, peer_name: str) -> bool:
        """Claim a waiting ticket; False if someone else got there first.

        One conditional UPDATE, so two peers (on two gateways) can't both win:
        on PostgreSQL the second waits for the first's row lock, then finds
        the ticket no longer waiting and updates nothing.
        """
        with self.session() as s:
            result = s.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, Ticket.state == TicketState.WAITING)
                .values(
                    state=TicketState.CLAIMED,
                    peer_id=peer_id,
                    peer_name=peer_name,
                    claimed_at=now(),
                )
            )
            return cast(CursorResult[Any], result).rowcount == 1

    def closed_between(
        self, start: dt.datetime, end: dt.datetime, state: str = "", lang: str = ""
    ) -> list[Ticket]:
        """Tickets closed in [start, end), newest first; of one state or language if given."""
        query = select(Ticket).where(
            Ticket.state.in_([str(s) for s in CLOSED_STATES]),
            Ticket.closed_at >= start,
            Ticket.closed_at < end,
        )
        if state:
            query = query.where(Ticket.state == state)
        if lang:
            query = query.where(Ticket.lang == lang)
        with self.session() as s:
            return list(s.scalars(query.order_by(Ticket.closed_at.desc())))

    def created_between(self, start: dt.datetime, end: dt.datetime) -> list[Ticket]:
        """Tickets opened in [start, end), oldest first (the team's report reads them)."""
        with self.session() as s:
            return list(
                s.scalars(
                    select(Ticket)
                    .where(Ticket.created_at >= start, Ticket.created_at < end)
                    .order_by(Ticket.created_at)
                )
            )

    def list_open(self) -> list[Ticket]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(Ticket)
                    .where(Ticket.state.in_(OPEN_STATES))
                    .order_by(Ticket.urgent.desc(), Ticket.created_at)
                )
            )

    def waiting_since(self, before: dt.datetime) -> list[Ticket]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(Ticket).where(
                        Ticket.state == TicketState.WAITING, Ticket.created_at < before
                    )
                )
            )

    def add_message(self, ticket_id: str, sender: str, text: str) -> TicketMessage:
        with self.session() as s:
            message = TicketMessage(ticket_id=ticket_id, sender=sender, text=text)
            s.add(message)
        return message

    def messages(self, ticket_id: str) -> list[TicketMessage]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(TicketMessage)
                    .where(TicketMessage.ticket_id == ticket_id)
                    .order_by(TicketMessage.id)
                )
            )

    def message_count(self, ticket_id: str, senders: tuple[str, ...] = ("person", "peer")) -> int:
        """How many messages people wrote in this ticket (PeerPath's own notes not counted)."""
        with self.session() as s:
            query = select(func.count()).where(
                TicketMessage.ticket_id == ticket_id, TicketMessage.sender.in_(senders)
            )
            return int(s.scalar(query) or 0)

    def tickets_for(self, conv_id: str) -> list[Ticket]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(Ticket).where(Ticket.conv_id == conv_id).order_by(Ticket.created_at)
                )
            )

    # --- outbox ---------------------------------------------------------------

    def enqueue(self, ticket_id: str, target: str, kind: str, payload: dict[str, Any]) -> None:
        with self.session() as s:
            s.add(OutboxItem(ticket_id=ticket_id, target=target, kind=kind, payload=payload))

    def due(self, limit: int = 50) -> list[OutboxItem]:
        """What is due now, without claiming it (to look at; delivering uses `claim_due`)."""
        with self.session() as s:
            return list(s.scalars(_due_items(limit)))

    def claim_due(self, limit: int = 50, lease_seconds: float = LEASE_SECONDS) -> list[OutboxItem]:
        """Take up to `limit` due items for this gateway to deliver, leased for `lease_seconds`.

        In one transaction the due rows are locked, skipping rows another
        gateway has locked this instant (FOR UPDATE SKIP LOCKED), and their
        `next_attempt_at` moves to the lease's end, so no other gateway
        takes them until then. Each item comes back holding that time: it is
        the lease's token for `renew`. Then `delivered` deletes an item and
        `failed` schedules its retry. A gateway that dies holding a lease
        leaves its items to be claimed again when the lease runs out:
        delivery is at least once (see bot.handoff.outbox).

        SQLite ignores the locking clause, so each row is taken by an UPDATE
        that only matches while its due time is the one just read: of two
        passes that read the same row (two workers of one gateway), one takes
        it and the other leaves it, and neither fails on a row the other
        already delivered and deleted.
        """
        until = now() + dt.timedelta(seconds=lease_seconds)
        with self.session() as s:
            seen = list(s.scalars(_due_items(limit).with_for_update(skip_locked=True)))
            s.expunge_all()
            items = [item for item in seen if _take(s, item, until)]
        return items

    def renew(self, item: OutboxItem, lease_seconds: float = LEASE_SECONDS) -> bool:
        """Extend this gateway's lease on a claimed item; False if the lease is lost.

        Lost means the lease ran out and another gateway claimed the item (it
        then holds another lease time), or the item is gone (delivered by
        that gateway, or forgotten): either way, don't deliver it.
        """
        until = now() + dt.timedelta(seconds=lease_seconds)
        with self.session() as s:
            result = s.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id == item.id,
                    OutboxItem.next_attempt_at == item.next_attempt_at,
                )
                .values(next_attempt_at=until)
            )
        if cast(CursorResult[Any], result).rowcount != 1:
            return False
        item.next_attempt_at = until
        return True

    def delivered(self, item_id: int) -> None:
        """A delivered item is deleted: its payload may hold what a person wrote."""
        with self.session() as s:
            s.execute(delete(OutboxItem).where(OutboxItem.id == item_id))

    def failed(self, item_id: int, error: str, retry_in: float) -> None:
        with self.session() as s:
            s.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item_id)
                .values(
                    attempts=OutboxItem.attempts + 1,
                    last_error=error[:200],
                    next_attempt_at=now() + dt.timedelta(seconds=retry_in),
                )
            )

    def pending_count(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).where(OutboxItem.delivered_at.is_(None))) or 0)

    # --- forgetting -----------------------------------------------------------

    def forget(self, conv_id: str) -> dict[str, int]:
        """Delete every ticket, message and pending delivery of one person."""
        with self.session() as s:
            ids = list(s.scalars(select(Ticket.id).where(Ticket.conv_id == conv_id)))
            if not ids:
                return {"tickets": 0, "messages": 0}
            messages = s.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)))
            s.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ids)))
            s.execute(delete(OutboxItem).where(OutboxItem.ticket_id.in_(ids)))
            s.execute(delete(Ticket).where(Ticket.id.in_(ids)))
            counts = {"tickets": len(ids), "messages": cast(CursorResult[Any], messages).rowcount}
        self.wipe_free_space()
        return counts

    def sweep(self, before: dt.datetime) -> dict[str, int]:
        """Retention: what was said in tickets closed before `before` goes, with the
        person's address and contact, and deliveries done (or given up) by then; the
        tickets stay, anonymous, so the team's counts remain."""
        with self.session() as s:
            old = select(Ticket.id).where(
                Ticket.state.in_([str(state) for state in CLOSED_STATES]),
                Ticket.closed_at < before,
            )
            ids = list(s.scalars(old.where(Ticket.conv_id != "")))
            messages = s.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(old)))
            s.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(old)))
            deliveries = s.execute(
                delete(OutboxItem).where(
                    or_(OutboxItem.delivered_at < before, OutboxItem.ticket_id.in_(old))
                )
            )
            s.execute(
                update(Ticket).where(Ticket.id.in_(ids)).values(
                    conv_id="", address="", callback_message="", callback_contact="",
                    staff_ref="",
                )
            )  # fmt: skip
            counts = {
                "tickets": len(ids),
                "messages": cast(CursorResult[Any], messages).rowcount,
                "deliveries": cast(CursorResult[Any], deliveries).rowcount,
            }
        self.wipe_free_space()
        return counts

    # --- counselors' lists ----------------------------------------------------------

    def save_list(self, items: list[dict[str, str]], note: str, days: int) -> SharedList:
        """A new list behind an unguessable id, kept `days` days."""
        created = now()
        shared = SharedList(
            id=secrets.token_urlsafe(16), items=json.dumps(items), note=note,
            created_at=created, expires_at=created + dt.timedelta(days=days),
        )  # fmt: skip
        with self.session() as s:
            s.add(shared)
        return shared

    def shared_list(self, list_id: str) -> SharedList | None:
        """The list with this id, expired or not (None: no such list)."""
        with self.session() as s:
            found = s.get(SharedList, list_id)
        if found is not None:
            found.expires_at = aware(found.expires_at) or found.expires_at
        return found

    def sweep_lists(self, at: dt.datetime | None = None) -> int:
        """Delete the lists expired by `at` (now); how many."""
        with self.session() as s:
            gone = s.execute(delete(SharedList).where(SharedList.expires_at < (at or now())))
        return cast(CursorResult[Any], gone).rowcount

    def wipe_free_space(self) -> None:
        """Make deleted text unreadable in the database files too (SQLite: its WAL).

        SQLite runs with secure_delete, so deleted rows are overwritten with
        zeros; a WAL checkpoint then moves those pages into the main file and
        truncates the WAL, which still held the old page images.

        PostgreSQL has no such switch, so this does nothing there: a deleted
        row is gone for every query at once, but its bytes stay in the table
        file as a dead tuple until VACUUM (autovacuum runs it on its own)
        marks the space free, and stay until new rows overwrite that space;
        VACUUM does not zero it (VACUUM FULL writes a new file and drops the
        old one, unzeroed). The WAL and any base backups or WAL archives keep
        old copies until they are recycled. Protect them as the data they
        are: encrypted disks and a bounded backup retention.
        """
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.engine.dispose()


def _take(s: Session, item: OutboxItem, until: dt.datetime) -> bool:
    """Lease one read item to `until` if it still holds the due time read with it."""
    result = s.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item.id, OutboxItem.next_attempt_at == item.next_attempt_at)
        .values(next_attempt_at=until)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    item.next_attempt_at = until  # detached: the token `renew` checks against
    return True


def _due_items(limit: int) -> Select[OutboxItem]:
    return (
        select(OutboxItem)
        .where(OutboxItem.delivered_at.is_(None), OutboxItem.next_attempt_at <= now())
        .order_by(OutboxItem.id)
        .limit(limit)
    )


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten, not left in free pages
    cursor.close()
