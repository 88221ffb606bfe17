"""Hand-off parts on their own: office hours, the outbox's retries, forgetting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.handoff.outbox import Outbox, backoff
from bot.handoff.store import HandoffStore, Ticket, new_ticket_id
from bot.ratelimit import RateLimiter
from peerpath.errors import ChannelError, ConfigError
from peerpath.hours import OfficeHours

NY = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """2026-11-16 is a Monday."""
    return dt.datetime(2026, 11, 16 + day, hour, minute, tzinfo=NY)


def test_office_hours_open_closed_and_next_opening() -> None:
    hours = OfficeHours.parse("Mon-Fri 09:00-17:00; Sat 10:00-14:00", "America/New_York")
    assert hours.is_open(at(0, 9)) and hours.is_open(at(4, 16, 59))
    assert not hours.is_open(at(0, 17)) and not hours.is_open(at(6, 12))
    assert hours.is_open(at(5, 11))
    assert hours.describe_next(at(0, 18)) == "tomorrow at 9:00 AM (New York time)"
    assert hours.describe_next(at(5, 15)) == "Monday at 9:00 AM (New York time)"
    assert hours.describe_next(at(2, 7)) == "today at 9:00 AM (New York time)"
    utc = dt.datetime(2026, 11, 16, 14, 30, tzinfo=dt.UTC)  # 9:30 in New York
    assert hours.is_open(utc)
    assert OfficeHours.parse("always", "UTC").is_open(at(6, 3))


@pytest.mark.parametrize(
    ("text", "zone", "key"),
    [("Mon-Fri 9-5", "UTC", "HANDOFF_HOURS"), ("Mon 17:00-09:00", "UTC", "HANDOFF_HOURS"),
     ("Mon 09:00-17:00", "Mars/Olympus", "HANDOFF_TIMEZONE"), ("", "UTC", "HANDOFF_HOURS")],
)  # fmt: skip
def test_bad_office_hours_name_the_setting(text: str, zone: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        OfficeHours.parse(text, zone)
    assert info.value.key == key


@pytest.fixture
def store(tmp_path: Path) -> HandoffStore:
    return HandoffStore(f"sqlite:///{tmp_path / 'handoff.db'}")


def ticket(store: HandoffStore, conv: str = "w-conv", channel: str = "telegram") -> Ticket:
    return store.add(
        Ticket(id=new_ticket_id(), conv_id=conv, channel=channel, address="42", state="waiting")
    )


async def test_a_failed_delivery_is_retried_not_dropped(store: HandoffStore) -> None:
    t = ticket(store)
    outbox = Outbox(store)
    attempts: list[str] = []

    async def flaky(tk: Ticket, messages: list[dict]) -> None:
        attempts.append(messages[0]["text"])
        if len(attempts) < 3:
            raise ChannelError("network down", retry_after=0)

    outbox.people["telegram"] = flaky
    await outbox.to_person(t.id, [{"text": "Sam: hello"}])
    assert await outbox.deliver_due() == 0
    assert store.pending_count() == 1
    assert await outbox.deliver_due() == 0
    assert await outbox.deliver_due() == 1
    assert attempts == ["Sam: hello"] * 3
    assert store.pending_count() == 0


async def test_retries_back_off_and_survive_a_new_outbox(store: HandoffStore) -> None:
    t = ticket(store)
    first = Outbox(store)

    async def down(tk: Ticket, messages: list[dict]) -> None:
        raise ChannelError("telegram unreachable")

    first.people["telegram"] = down
    await first.to_person(t.id, [{"text": "hello"}])
    await first.deliver_due()
    [item] = store.due() or [None]
    assert item is None, "not due again until its back-off has passed"
    assert backoff(1) == 2.0 and backoff(20) == 300.0

    second = Outbox(store)  # e.g. after a gateway restart
    delivered: list[str] = []

    async def up(tk: Ticket, messages: list[dict]) -> None:
        delivered.append(messages[0]["text"])

    second.people["telegram"] = up
    with store.session() as s:  # make the pending item due now
        from sqlalchemy import update

        from bot.handoff.store import OutboxItem, now

        s.execute(update(OutboxItem).values(next_attempt_at=now()))
    assert await second.deliver_due() == 1
    assert delivered == ["hello"]


def test_forget_removes_tickets_messages_and_deliveries(store: HandoffStore) -> None:
    mine, other = ticket(store, "w-me"), ticket(store, "w-other")
    store.add_message(mine.id, "person", "private words")
    store.enqueue(mine.id, "person", "message", {"messages": []})
    assert store.forget("w-me") == {"tickets": 1, "messages": 1}
    assert store.get(mine.id) is None and store.get(other.id) is not None
    assert store.pending_count() == 0


def test_rate_limiter_window() -> None:
    clock = [0.0]
    limiter = RateLimiter(3, 60, clock=lambda: clock[0])
    assert [limiter.hit_now("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit_now("a") == pytest.approx(60), "refused: wait until the first expires"
    assert limiter.hit_now("b") == 0.0, "keys are separate"
    clock[0] = 30
    assert limiter.hit_now("a") == pytest.approx(30), "a refused event is not counted"
    clock[0] = 61
    assert limiter.hit_now("a") == 0.0


async def test_two_passes_at_once_each_item_sent_once_and_neither_fails(
    store: HandoffStore,
) -> None:
    """The gateway's worker and a check_waits pass may both run the outbox on SQLite."""
    import asyncio

    t = ticket(store)
    outbox = Outbox(store, batch=1)
    sent: list[str] = []

    async def slow(tk: Ticket, messages: list[dict]) -> None:
        await asyncio.sleep(0.01)
        sent.append(messages[0]["text"])

    outbox.people["telegram"] = slow
    for n in range(20):
        await outbox.to_person(t.id, [{"text": f"m{n}"}])
    while store.pending_count():
        await asyncio.gather(*(outbox.deliver_due() for _ in range(4)))
    assert sorted(sent, key=lambda m: int(m[1:])) == [f"m{n}" for n in range(20)]
