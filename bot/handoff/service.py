"""What happens in a hand-off, whichever channel the person and the peer use.

States: waiting -> claimed -> ended, or cancelled / expired. While a ticket
routes to a peer, the person's messages go to the peer, not to Rasa, and
Rasa's conversation is paused; it is resumed when the ticket closes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.events import STAFF, EventBus, conversation
from bot.handoff import replies
from bot.handoff.desk import Desk
from bot.handoff.outbox import Outbox
from bot.handoff.store import HandoffStore, Ticket, aware, new_ticket_id, now
from bot.metrics import Metrics
from bot.rasa.client import RasaServer
from bot.rasa.tracker import HistoryItem
from bot.safety import Assessment
from peerpath.crisis import crisis_message
from peerpath.errors import HandoffError, RasaUnavailable, StoreUnavailable
from peerpath.protocol import CLOSED_STATES, Command, MessageKind, Stage, TicketState
from peerpath.settings import HandoffConfig
from peerpath.types import OutMessage

logger = logging.getLogger(__name__)
T = TypeVar("T")

CANCEL_WORDS = {"cancel", "stop waiting", "never mind", "nevermind"}
MAX_MESSAGE = 2000  # a person's message (the gateway already caps it)
MAX_PEER_MESSAGE = 10_000  # channels split long ones (Telegram: 4,096 characters)


def routes_to_peer(ticket: Ticket) -> bool:
    """Whether this person's messages go to the peer team rather than to Rasa."""
    return ticket.state == TicketState.CLAIMED or (
        ticket.state == TicketState.WAITING and ticket.stage != Stage.LEFT
    )


def public_state(ticket: Ticket) -> dict[str, Any]:
    """What every channel may show the person about their hand-off."""
    state = ticket.state
    if state == TicketState.WAITING and ticket.stage == Stage.LEFT:
        state = "message_left"
    out: dict[str, Any] = {"state": state, "ticket_id": ticket.id}
    if ticket.peer_name and ticket.state == TicketState.CLAIMED:
        out["peer_name"] = ticket.peer_name
    return out


def staff_view(ticket: Ticket, message_count: int = 0) -> dict[str, Any]:
    """A ticket as staff see it: no more personal data than needed."""
    created = aware(ticket.created_at) or now()
    return {
        "id": ticket.id,
        "state": ticket.state,
        "topic": ticket.topic,
        "channel": ticket.channel,
        "urgent": ticket.urgent,
        "waiting_seconds": int((now() - created).total_seconds()),
        "peer_name": ticket.peer_name,
        "callback": bool(ticket.callback_message or ticket.callback_contact),
        "in_hours": ticket.in_hours,
        "messages": message_count,
        "lang": ticket.lang or "en",  # the peer writes in the person's language
    }


def as_dicts(*messages: OutMessage) -> list[dict[str, Any]]:
    return [m.to_dict() for m in messages]


class HandoffService:
    """Opens, relays, claims, ends and expires hand-off tickets."""

    def __init__(
        self,
        store: HandoffStore,
        outbox: Outbox,
        rasa: RasaServer,
        settings: HandoffConfig,
        bus: EventBus,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.rasa = rasa
        self.settings = settings
        self.bus = bus
        self.metrics = metrics or Metrics()
        self.desk = Desk(store)

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call in a worker thread; a store that can't be reached (the
        database down, its pool exhausted) is StoreUnavailable, for the caller to
        answer calmly."""
        try:
            return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
        except (OperationalError, InterfaceError, PoolTimeout) as exc:
            self.metrics.database_errors += 1
            raise StoreUnavailable(f"hand-off store unreachable ({type(exc).__name__})") from exc

    async def _change(self, ticket_id: str, **values: Any) -> Ticket:
        """Change a ticket; one that vanished meanwhile (forgotten) is a HandoffError."""
        ticket = await self._db(self.store.change, ticket_id, **values)
        if ticket is None:
            raise HandoffError("That hand-off no longer exists.", 404)
        return ticket

    async def _record(self, ticket_id: str, messages: list[OutMessage]) -> list[OutMessage]:
        """Keep what PeerPath told the person, so a reloaded chat shows it again."""
        for message in messages:
            await self._db(self.store.add_message, ticket_id, "system", message.text)
        return messages

    async def _tell(self, ticket: Ticket, message: OutMessage, sender: str = "system") -> None:
        """Say something to the person later, through the outbox."""
        message = replies.speak(message, ticket.lang or "en")
        await self._db(self.store.add_message, ticket.id, sender, message.text)
        await self.outbox.to_person(ticket.id, as_dicts(message))

    # --- the person's side ------------------------------------------------------

    async def active_ticket(self, conv_id: str) -> Ticket | None:
        """The open ticket that should receive this person's messages, if any."""
        ticket = await self._db(self.store.open_ticket_for, conv_id)
        return ticket if ticket is not None and routes_to_peer(ticket) else None

    async def open(
        self,
        conv_id: str,
        channel: str,
        address: str,
        topic: str,
        urgent: bool,
        lang: str = "en",
    ) -> tuple[Ticket, list[OutMessage]]:
        """Open a ticket (or return the one already open) and say what happens next, in
        the person's language."""
        existing = await self._db(self.store.open_ticket_for, conv_id)
        if existing is not None:
            if urgent and not existing.urgent:
                existing = await self._change(existing.id, urgent=True)
                await self.outbox.to_staff(existing.id, "alert", {"reason": "urgent"})
            await self._pause(existing)
            return existing, await self._record(existing.id, [self._status(existing, lang)])
        in_hours = self.settings.hours.is_open(now())
        ticket = Ticket(
            id=new_ticket_id(), conv_id=conv_id, channel=channel, address=address,
            state=TicketState.WAITING, stage=Stage.NONE if in_hours else Stage.OFFER,
            topic=topic or "other", urgent=urgent, in_hours=in_hours, lang=lang,
        )  # fmt: skip
        await self._db(self.store.add, ticket)
        self.metrics.handoff("opened", urgent)
        await self._pause(ticket)
        await self.outbox.to_staff(ticket.id, "new_ticket", staff_view(ticket))
        self._publish(ticket)
        logger.info(
            "handoff.opened ticket=%s conv=%s channel=%s topic=%s urgent=%s in_hours=%s",
            ticket.id, conv_id, channel, ticket.topic, urgent, in_hours,
        )  # fmt: skip
        return ticket, await self._record(ticket.id, [self._status(ticket, lang)])

    def _status(self, ticket: Ticket, lang: str = "en") -> OutMessage:
        if ticket.state == TicketState.CLAIMED:
            return replies.joined(ticket.peer_name, lang)
        if ticket.stage == Stage.OFFER or not ticket.in_hours:
            hours = self.settings.hours
            return replies.offline(hours.text, hours.describe_next(now()), lang)
        return replies.waiting(self.settings.wait_seconds // 60, ticket.urgent, lang)

    async def person_message(
        self, ticket: Ticket, text: str, grade: Assessment
    ) -> list[OutMessage]:
        """A message from the person while their ticket routes to the peer team."""
        said = await self._person_message(ticket, text, grade)
        return await self._record(ticket.id, [replies.speak(m, ticket.lang or "en") for m in said])

    async def _person_message(
        self, ticket: Ticket, text: str, grade: Assessment
    ) -> list[OutMessage]:
        command = text.strip().lower()
        if grade.crisis:
            return await self._crisis(ticket, text, grade)
        if command in {Command.CANCEL_HANDOFF, "/cancel"} or (
            ticket.state == TicketState.WAITING and command in CANCEL_WORDS
        ):
            await self._close(ticket, TicketState.CANCELLED, notify_person=False)
            return [replies.CANCELLED]
        if command in {Command.END_HANDOFF, "/end"} and ticket.state == TicketState.CLAIMED:
            await self._close(ticket, TicketState.ENDED, notify_person=False)
            return [replies.ENDED, replies.rate(ticket.lang or "en")]
        if command == Command.LEAVE_MESSAGE and ticket.state == TicketState.WAITING:
            await self._db(self.store.change, ticket.id, stage=Stage.MESSAGE)
            return [replies.ASK_MESSAGE]
        if ticket.stage == Stage.MESSAGE:
            await self._db(self.store.change, ticket.id, stage=Stage.CONTACT,
                           callback_message=text[:MAX_MESSAGE])  # fmt: skip
            return [replies.ASK_CONTACT]
        if ticket.stage == Stage.CONTACT:
            ticket = await self._change(ticket.id, stage=Stage.LEFT,
                                    callback_contact=text[:300])  # fmt: skip
            await self._resume(ticket)
            await self.outbox.to_staff(ticket.id, "callback", staff_view(ticket))
            self._publish(ticket)
            next_time = self.settings.hours.describe_next(now())
            return [replies.message_left(next_time, ticket.lang or "en")]
        if command.startswith("/"):
            return [self._status(ticket, ticket.lang or "en")]  # a button from before: where we are
        await self._relay_from_person(ticket, text)
        if (
            ticket.state == TicketState.WAITING
            and await self._db(self.store.message_count, ticket.id, ("person",)) == 1
        ):
            return [replies.SENT]
        return []

    async def _relay_from_person(self, ticket: Ticket, text: str) -> None:
        await self._db(self.store.add_message, ticket.id, "person", text[:MAX_MESSAGE])
        await self.outbox.to_staff(ticket.id, "person_message", {"text": text[:MAX_MESSAGE]})
        self.bus.publish(STAFF, {"type": "message", "ticket_id": ticket.id, "from": "person",
                                 "text": text[:MAX_MESSAGE]})  # fmt: skip

    async def _crisis(self, ticket: Ticket, text: str, grade: Assessment) -> list[OutMessage]:
        if not ticket.urgent:
            ticket = await self._change(ticket.id, urgent=True)
        await self._relay_from_person(ticket, text)
        alert = {"reason": "crisis", "card": str(grade.card)}
        self.metrics.crisis_reply(str(grade.card), grade.lang)
        await self.outbox.to_staff(ticket.id, "alert", alert)
        self._publish(ticket)
        logger.warning("handoff.crisis_alert ticket=%s", ticket.id)
        # Already with (or waiting for) the peer team, now marked urgent: no "connect" button.
        return [crisis_message(grade.lang, grade.card, offer_peer=False)]

    # --- the staff side ------------------------------------------------------------

    async def get(self, ticket_id: str) -> Ticket:
        ticket = await self._db(self.store.get, ticket_id)
        if ticket is None:
            raise HandoffError("No such ticket.", 404)
        return ticket

    async def claim(self, ticket_id: str, peer_id: str, peer_name: str) -> Ticket:
        """A peer takes a waiting ticket; refused if someone else has it."""
        ticket = await self.get(ticket_id)
        if ticket.state != TicketState.WAITING or not await self._db(
            self.store.claim, ticket_id, peer_id, peer_name
        ):
            holder = f" by {ticket.peer_name}" if ticket.peer_name else ""
            raise HandoffError(f"This ticket is already {ticket.state}{holder}.", 409)
        ticket = await self._change(ticket_id, stage=Stage.NONE)
        opened = aware(ticket.created_at)
        self.metrics.claimed(ticket.urgent, (now() - opened).total_seconds() if opened else 0.0)
        await self._pause(ticket)
        await self._tell(ticket, replies.joined(peer_name, ticket.lang or "en"))
        await self.outbox.to_staff(ticket.id, "claimed", staff_view(ticket))
        self._publish(ticket)
        await self._db(self.desk.record, peer_name, "claim", ticket.id)
        logger.info("handoff.claimed ticket=%s peer=%s", ticket.id, peer_id)
        return ticket

    async def staff_send(self, ticket_id: str, peer_id: str, text: str) -> None:
        """The claiming peer writes to the person."""
        ticket = await self.get(ticket_id)
        if ticket.state != TicketState.CLAIMED:
            raise HandoffError("Claim the ticket before writing to the person.", 409)
        if ticket.peer_id != peer_id:
            raise HandoffError(f"{ticket.peer_name} is looking after this ticket.", 403)
        text = text.strip()[:MAX_PEER_MESSAGE]
        if not text:
            raise HandoffError("The message is empty.", 400)
        await self._db(self.store.add_message, ticket.id, "peer", text)
        await self._db(self.desk.record, ticket.peer_name, "send", ticket.id)
        await self.outbox.to_person(ticket.id, as_dicts(replies.from_peer(ticket.peer_name, text)))
        self.bus.publish(STAFF, {"type": "message", "ticket_id": ticket.id, "from": "peer",
                                 "text": text})  # fmt: skip

    async def end(self, ticket_id: str, peer_id: str) -> Ticket:
        """The peer closes the chat; the person is back with the assistant."""
        ticket = await self.get(ticket_id)
        if ticket.state in CLOSED_STATES:
            raise HandoffError(f"This ticket is already {ticket.state}.", 409)
        if ticket.state == TicketState.CLAIMED and ticket.peer_id != peer_id:
            raise HandoffError(f"{ticket.peer_name} is looking after this ticket.", 403)
        closed = await self._close(ticket, TicketState.ENDED, notify_person=True)
        await self._db(self.desk.record, ticket.peer_name or peer_id, "end", ticket.id)
        return closed

    # --- the desk: passing tickets on, notes ------------------------------------

    async def transfer(self, ticket_id: str, peer_id: str, from_name: str, to_name: str) -> Ticket:
        """The peer looking after a ticket passes it to a colleague, who is alerted."""
        to = await self._db(self.desk.account, to_name)
        if to is None or not to.active:
            raise HandoffError(f"No active account named {to_name}.", 404)
        await self._holder(ticket_id, peer_id)
        if not await self._db(
            self.desk.hand_over, ticket_id, peer_id, f"console:{to.name}", to.name
        ):
            raise HandoffError("This ticket changed hands meanwhile; reload it.", 409)
        ticket = await self.get(ticket_id)
        await self._db(self.desk.record, from_name, "transfer", ticket.id, to.name)
        await self._tell(ticket, replies.joined(to.name, ticket.lang or "en"))
        self.bus.publish(STAFF, {"type": "transfer", "ticket_id": ticket.id, "to": to.name,
                                 "from": from_name})  # fmt: skip
        self._publish(ticket)
        logger.info("handoff.transferred ticket=%s", ticket.id)
        return ticket

    async def release(self, ticket_id: str, peer_id: str, name: str) -> Ticket:
        """The peer looking after a ticket puts it back in the queue for anyone."""
        await self._holder(ticket_id, peer_id)
        if not await self._db(self.desk.release, ticket_id, peer_id):
            raise HandoffError("This ticket changed hands meanwhile; reload it.", 409)
        ticket = await self.get(ticket_id)
        await self._db(self.desk.record, name, "release", ticket.id)
        await self.outbox.to_staff(ticket.id, "released", staff_view(ticket))
        self._publish(ticket)
        logger.info("handoff.released ticket=%s", ticket.id)
        return ticket

    async def _holder(self, ticket_id: str, peer_id: str) -> Ticket:
        ticket = await self.get(ticket_id)
        if ticket.state != TicketState.CLAIMED:
            raise HandoffError(f"This ticket is {ticket.state}, not claimed.", 409)
        if ticket.peer_id != peer_id:
            raise HandoffError(f"{ticket.peer_name} is looking after this ticket.", 403)
        return ticket

    async def callbacks(self) -> list[dict[str, Any]]:
        """People who left a message and a way to reach them, oldest first."""
        tickets = await self._db(self.store.list_open)
        left = [t for t in tickets if t.state == TicketState.WAITING and t.stage == Stage.LEFT]
        left.sort(key=lambda t: aware(t.created_at) or now())
        return [
            {**staff_view(t), "message": t.callback_message, "contact": t.callback_contact,
             "asked_at": (aware(t.created_at) or now()).isoformat()}
            for t in left
        ]  # fmt: skip

    async def callback_done(self, ticket_id: str, name: str) -> Ticket:
        """A peer got back to the person outside the chat: the callback is closed."""
        ticket = await self.get(ticket_id)
        if ticket.state != TicketState.WAITING or ticket.stage != Stage.LEFT:
            raise HandoffError("This ticket has no open callback.", 409)
        closed = await self._close(ticket, TicketState.ENDED, notify_person=False)
        await self._db(self.desk.record, name, "callback_done", ticket.id)
        return closed

    async def rate(self, conv_id: str, stars: int, lang: str) -> OutMessage:
        """The person's rating (1-5; 0 skips) of their last peer chat, kept on its ticket."""
        if stars:
            chats = [
                t for t in await self._db(self.store.tickets_for, conv_id)
                if t.state == TicketState.ENDED and t.peer_name and t.rating is None
            ]  # fmt: skip
            if chats:
                await self._db(self.store.change, chats[-1].id, rating=stars)
                logger.info("handoff.rated ticket=%s stars=%d", chats[-1].id, stars)
        return replies.rated(stars, lang)

    async def add_note(self, ticket_id: str, author: str, text: str) -> None:
        """A note for the team on a ticket; the person never sees it."""
        ticket = await self.get(ticket_id)
        await self._db(self.desk.add_note, ticket.id, author, text)
        await self._db(self.desk.record, author, "note", ticket.id)
        self.bus.publish(STAFF, {"type": "note", "ticket_id": ticket.id, "author": author})

    async def notes(self, ticket_id: str) -> list[dict[str, str]]:
        return await self._db(self.desk.notes, ticket_id)

    async def remember_staff_ref(self, ticket_id: str, ref: str) -> None:
        """Keep the staff side's handle for a ticket (e.g. its Telegram card's message id)."""
        await self._db(self.store.change, ticket_id, staff_ref=ref)

    async def messages(self, ticket_id: str) -> list[dict[str, Any]]:
        rows = await self._db(self.store.messages, ticket_id)
        return [
            {"from": m.sender, "text": m.text, "at": (aware(m.created_at) or now()).isoformat()}
            for m in rows
        ]

    async def history_items(self, conv_id: str) -> tuple[list[HistoryItem], Ticket | None]:
        """What was said in this person's hand-offs, and the ticket still open, if any."""
        items: list[HistoryItem] = []
        open_ticket = None
        for ticket in await self._db(self.store.tickets_for, conv_id):
            for message in await self._db(self.store.messages, ticket.id):
                stamp = (aware(message.created_at) or now()).timestamp()
                if message.sender == "person":
                    items.append((stamp, {"from": "me", "text": message.text}))
                elif message.sender == "peer":
                    said = f"{ticket.peer_name}: {message.text}"
                    items.append((stamp, {"from": "peer", "kind": MessageKind.PEER, "text": said}))
                else:
                    items.append((stamp, {"from": "bot", "text": message.text,
                                          "kind": MessageKind.HANDOFF}))  # fmt: skip
            if routes_to_peer(ticket) or ticket.state == TicketState.WAITING:
                open_ticket = ticket
        return items, open_ticket

    async def history(self, day: dt.date, state: str = "", lang: str = "") -> list[dict[str, Any]]:
        """Tickets closed on `day` (UTC), newest first, with when each was closed."""
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        found = await self._db(
            self.store.closed_between, start, start + dt.timedelta(days=1), state, lang
        )
        return [
            {**staff_view(t), "closed_at": (aware(t.closed_at) or now()).isoformat()} for t in found
        ]

    async def open_tickets(self) -> list[dict[str, Any]]:
        tickets = await self._db(self.store.list_open)
        return [staff_view(t, await self._db(self.store.message_count, t.id)) for t in tickets]

    async def measure_queue(self) -> None:
        """Set the queue's gauges: tickets waiting for a peer, and the longest wait."""
        tickets = await self._db(self.store.list_open)
        waiting = [t for t in tickets if t.state == TicketState.WAITING]
        current = now()
        waits = [(current - (aware(t.created_at) or current)).total_seconds() for t in waiting]
        urgent = sum(1 for t in waiting if t.urgent)
        self.metrics.queue(len(waiting), urgent, max(waits, default=0.0))

    # --- housekeeping ------------------------------------------------------------

    async def check_waits(self) -> None:
        """Tell people nobody has come yet; expire tickets nobody could take; post urgent
        tickets nobody claimed to staff again."""
        await self._escalate()
        current = now()
        cutoff = current - dt.timedelta(seconds=self.settings.wait_seconds)
        for ticket in await self._db(self.store.waiting_since, cutoff):
            age = (current - (aware(ticket.created_at) or current)).total_seconds()
            if age > self.settings.expire_seconds:
                await self._close(
                    ticket, TicketState.EXPIRED, notify_person=ticket.stage != Stage.LEFT
                )
            elif not ticket.wait_notice_sent and ticket.stage == Stage.NONE:
                await self._db(
                    self.store.change, ticket.id, wait_notice_sent=True, stage=Stage.OFFER
                )
                await self._tell(ticket, replies.no_one_yet(ticket.lang or "en"))
                logger.info("handoff.wait_notice ticket=%s", ticket.id)

    async def _escalate(self) -> None:
        """An urgent ticket still waiting after URGENT_ESCALATE_MINUTES goes to staff again
        (the Telegram group with the leads mentioned, every open console), and again each
        time as long passes, until someone claims it."""
        current = now()
        every = dt.timedelta(seconds=self.settings.escalate_seconds)
        for ticket in await self._db(self.store.waiting_since, current - every):
            last = aware(ticket.escalated_at)
            if not ticket.urgent or (last is not None and current - last < every):
                continue
            await self._db(self.store.change, ticket.id, escalated_at=current)
            waited = int((current - (aware(ticket.created_at) or current)).total_seconds() // 60)
            alert = {"reason": "escalate", "minutes": waited,
                     "mentions": list(self.settings.escalate_mentions)}  # fmt: skip
            await self.outbox.to_staff(ticket.id, "alert", alert)
            self.bus.publish(STAFF, {"type": "escalate", "ticket_id": ticket.id,
                                     "minutes": waited})  # fmt: skip
            logger.warning("handoff.escalated ticket=%s minutes=%d", ticket.id, waited)

    async def resume_if_needed(self, conv_id: str) -> None:
        """Before Rasa answers again, make sure its conversation isn't left paused."""
        for ticket in reversed(await self._db(self.store.tickets_for, conv_id)):
            if ticket.rasa_paused and not routes_to_peer(ticket):
                await self._resume(ticket)
            return

    async def _close(self, ticket: Ticket, state: TicketState, notify_person: bool) -> Ticket:
        ticket = await self._change(ticket.id, state=state, closed_at=now())
        await self._resume(ticket)
        if notify_person:
            await self._tell(
                ticket, replies.EXPIRED if state == TicketState.EXPIRED else replies.ENDED
            )
            if state == TicketState.ENDED and ticket.peer_name:  # a peer chat: rate it
                await self._tell(ticket, replies.rate(ticket.lang or "en"))
        await self.outbox.to_staff(ticket.id, state, staff_view(ticket))
        self._publish(ticket)
        self.metrics.handoff("ended", ticket.urgent)
        logger.info("handoff.%s ticket=%s", state, ticket.id)
        return ticket

    async def _pause(self, ticket: Ticket) -> None:
        if ticket.rasa_paused or not routes_to_peer(ticket):
            return
        try:
            await self.rasa.append_events(ticket.conv_id, [{"event": "pause"}])
        except RasaUnavailable as exc:
            logger.warning("handoff.pause_failed ticket=%s error=%s", ticket.id, exc)
            return
        await self._db(self.store.change, ticket.id, rasa_paused=True)

    async def _resume(self, ticket: Ticket) -> None:
        if not ticket.rasa_paused:
            return
        try:
            await self.rasa.append_events(ticket.conv_id, [{"event": "resume"}])
        except RasaUnavailable as exc:
            logger.warning("handoff.resume_failed ticket=%s error=%s", ticket.id, exc)
            return  # retried by resume_if_needed before Rasa is asked again
        await self._db(self.store.change, ticket.id, rasa_paused=False)

    def _publish(self, ticket: Ticket) -> None:
        state = public_state(ticket)
        self.bus.publish(conversation(ticket.conv_id), {"type": "handoff", **state})
        self.bus.publish(STAFF, {"type": "ticket", "ticket": staff_view(ticket)})

    async def forget(self, conv_id: str) -> dict[str, int]:
        """Delete this person's tickets and relayed messages (after /forget)."""
        for ticket in await self._db(self.store.tickets_for, conv_id):
            if ticket.state not in CLOSED_STATES:
                await self._close(ticket, TicketState.CANCELLED, notify_person=False)
        return await self._db(self.store.forget, conv_id)
