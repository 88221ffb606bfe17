"""Specs for the hand-off (bot/handoff/service.py): stages, staff, crisis, expiry.

The queue is real (SQLite in a temporary folder); Rasa is a stand-in that
records the pause and resume events the service appends to its tracker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.events import EventBus
from bot.handoff import replies
from bot.handoff.outbox import Outbox
from bot.handoff.service import HandoffService, public_state
from bot.handoff.store import HandoffStore, Ticket
from bot.safety import NOTHING, Assessment
from peerpath.errors import HandoffError, RasaUnavailable
from peerpath.hours import OfficeHours
from peerpath.protocol import Command, Safety
from peerpath.settings import HandoffConfig

CRISIS = Assessment(Safety.CRISIS, by="rules", score=1.0)


@dataclass
class StandInRasa:
    """Records the events appended to each conversation; can be down."""

    down: bool = False
    events: list[tuple[str, str]] = field(default_factory=list)

    async def append_events(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        if self.down:
            raise RasaUnavailable("down")
        self.events += [(sender_id, e["event"]) for e in events]


@dataclass
class Desk:
    service: HandoffService
    rasa: StandInRasa
    store: HandoffStore

    async def open(self, conv: str = "w-ana", urgent: bool = False) -> Ticket:
        ticket, _ = await self.service.open(conv, "web", "", "benefits", urgent)
        return ticket

    async def person(self, ticket: Ticket, text: str, grade: Assessment = NOTHING) -> str:
        said = await self.service.person_message(await self.service.get(ticket.id), text, grade)
        return "\n".join(m.text for m in said)

    def staff_kinds(self) -> list[str]:
        with self.store.session() as s:
            from sqlalchemy import select

            from bot.handoff.store import OutboxItem

            return [
                i.kind for i in s.scalars(select(OutboxItem).where(OutboxItem.target == "staff"))
            ]


def config(hours: str = "always", **extra: Any) -> HandoffConfig:
    return HandoffConfig(hours=OfficeHours.parse(hours, "UTC"), **extra)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    store = HandoffStore(f"sqlite:///{tmp_path / 'handoff.db'}")
    rasa = StandInRasa()
    yield Desk(HandoffService(store, Outbox(store), rasa, config(), EventBus()), rasa, store)  # type: ignore[arg-type]
    store.close()


async def test_in_office_hours_a_request_waits_for_a_peer_and_rasa_pauses(desk: Desk) -> None:
    ticket = await desk.open()
    assert public_state(ticket) == {"state": "waiting", "ticket_id": ticket.id}
    assert desk.rasa.events == [("w-ana", "pause")]
    assert desk.staff_kinds() == ["new_ticket"]
    assert await desk.service.active_ticket("w-ana") is not None


async def test_asking_twice_keeps_one_ticket_and_urgency_only_rises(desk: Desk) -> None:
    first = await desk.open()
    again = await desk.open(urgent=True)
    assert again.id == first.id and again.urgent
    assert desk.staff_kinds() == ["new_ticket", "alert"]


async def test_out_of_hours_a_message_and_contact_are_left_then_back_to_the_assistant(
    tmp_path: Path,
) -> None:
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.db'}")
    tomorrow = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][
        (dt.datetime.now(dt.UTC).weekday() + 2) % 7
    ]
    service = HandoffService(store, Outbox(store), StandInRasa(), config(f"{tomorrow} 09:00-10:00"),
                             EventBus())  # type: ignore[arg-type]  # fmt: skip
    desk = Desk(service, service.rasa, store)  # type: ignore[arg-type]
    ticket = await desk.open()
    assert ticket.stage == "offer" and not ticket.in_hours
    steps = [
        (Command.LEAVE_MESSAGE, "What would you like the peer to know?", "message"),
        ("Please help with my SSDI review", "How can a peer reach you?", "contact"),
        ("ana@example.org", "Your message is saved", "left"),
    ]
    for said, answer, stage in steps:
        assert answer in await desk.person(ticket, said)
        assert (await service.get(ticket.id)).stage == stage
    left = await service.get(ticket.id)
    assert public_state(left)["state"] == "message_left"
    assert await service.active_ticket("w-ana") is None, "released to the assistant"
    assert left.callback_message == "Please help with my SSDI review"
    assert "callback" in desk.staff_kinds()
    store.close()


@pytest.mark.parametrize("words", ["cancel", "never mind", Command.CANCEL_HANDOFF, "/cancel"])
async def test_waiting_can_be_cancelled(desk: Desk, words: str) -> None:
    ticket = await desk.open()
    assert replies.CANCELLED.text in await desk.person(ticket, words)
    assert (await desk.service.get(ticket.id)).state == "cancelled"
    assert desk.rasa.events[-1] == ("w-ana", "resume")


async def test_the_first_message_while_waiting_is_acknowledged_once(desk: Desk) -> None:
    ticket = await desk.open()
    assert await desk.person(ticket, "hello?") == replies.SENT.text
    assert await desk.person(ticket, "anyone?") == ""
    assert desk.staff_kinds().count("person_message") == 2


async def test_a_claim_is_exclusive_and_only_the_claiming_peer_writes_or_ends(desk: Desk) -> None:
    ticket = await desk.open()
    claimed = await desk.service.claim(ticket.id, "console:Sam", "Sam")
    assert public_state(claimed) == {"state": "claimed", "ticket_id": ticket.id, "peer_name": "Sam"}
    with pytest.raises(HandoffError) as taken:
        await desk.service.claim(ticket.id, "console:Alex", "Alex")
    assert taken.value.status_code == 409 and "Sam" in taken.value.detail
    with pytest.raises(HandoffError) as not_yours:
        await desk.service.staff_send(ticket.id, "console:Alex", "hi")
    assert not_yours.value.status_code == 403
    await desk.service.staff_send(ticket.id, "console:Sam", "Hi, I'm Sam.")
    with pytest.raises(HandoffError):
        await desk.service.end(ticket.id, "console:Alex")
    ended = await desk.service.end(ticket.id, "console:Sam")
    assert ended.state == "ended" and desk.rasa.events[-1] == ("w-ana", "resume")


async def test_crisis_during_a_handoff_alerts_the_peer_and_answers_at_once(desk: Desk) -> None:
    ticket = await desk.open()
    said = await desk.person(ticket, "i can't keep myself safe", CRISIS)
    assert "988" in said and "911" in said
    current = await desk.service.get(ticket.id)
    assert current.urgent and "alert" in desk.staff_kinds()
    messages = await desk.service.messages(ticket.id)
    assert messages[-2] == {**messages[-2], "from": "person", "text": "i can't keep myself safe"}


async def test_nobody_claims_in_time_then_the_ticket_expires(desk: Desk) -> None:
    ticket = await desk.open()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)
    desk.store.change(ticket.id, created_at=past)
    await desk.service.check_waits()
    assert (await desk.service.get(ticket.id)).stage == "offer", "told nobody has come yet"
    desk.store.change(ticket.id, created_at=past - dt.timedelta(days=4))
    await desk.service.check_waits()
    assert (await desk.service.get(ticket.id)).state == "expired"


async def test_rasa_down_never_stops_a_handoff(desk: Desk) -> None:
    desk.rasa.down = True
    ticket = await desk.open()
    assert ticket.state == "waiting" and not ticket.rasa_paused
    claimed = await desk.service.claim(ticket.id, "console:Sam", "Sam")
    assert claimed.state == "claimed"


async def test_forget_closes_and_deletes_everything_of_one_person(desk: Desk) -> None:
    mine = await desk.open("w-me")
    await desk.person(mine, "private words")
    other = await desk.open("w-other")
    assert await desk.service.forget("w-me") == {"tickets": 1, "messages": 3}
    assert desk.store.get(mine.id) is None and desk.store.get(other.id) is not None
