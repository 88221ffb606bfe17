"""Delivering hand-off messages to people and to staff, retried until done.

Everything to deliver is first written to the outbox table, so a message
relayed while a channel is down (or the gateway restarts) is sent later,
not dropped. Channels register a deliverer for people (by channel name) and
any number for staff.

Gateways sharing one database each run this worker. Each claims a batch of
due items with a lease (HandoffStore.claim_due), so two gateways never send
the same item while both are alive; an item not yet sent when half the
lease has passed has its lease renewed first, and is skipped if another
gateway has taken it meanwhile. Delivery is at least once, not exactly
once: a gateway that dies after a channel accepted an item but before its
row is deleted leaves it to be sent again by another gateway when the lease
runs out (so does a single delivery slower than a whole lease). The
deliverers don't deduplicate (Telegram's sendMessage has no idempotency
key), so in that rare case a person or the staff chat sees one message
twice; nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import anyio

from bot.handoff.store import LEASE_SECONDS, HandoffStore, OutboxItem, Ticket
from peerpath.errors import ChannelError

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300.0


class PersonDeliverer(Protocol):
    async def __call__(self, ticket: Ticket, messages: list[dict[str, Any]]) -> None: ...


class StaffDeliverer(Protocol):
    async def __call__(self, ticket: Ticket, kind: str, payload: dict[str, Any]) -> str | None: ...


def backoff(attempts: int) -> float:
    return min(2.0**attempts, MAX_BACKOFF_SECONDS)


class Outbox:
    """Writes deliveries down, and a worker that sends them."""

    def __init__(
        self, store: HandoffStore, batch: int = 50, lease_seconds: float = LEASE_SECONDS
    ) -> None:
        self.store = store
        self.batch = batch  # items claimed at a time
        self.lease_seconds = lease_seconds
        self.people: dict[str, PersonDeliverer] = {}
        self.staff: list[StaffDeliverer] = []
        self.on_staff_ref: Callable[[str, str], Awaitable[None]] | None = None
        self._wake = asyncio.Event()

    async def to_person(self, ticket_id: str, messages: list[dict[str, Any]]) -> None:
        await anyio.to_thread.run_sync(
            self.store.enqueue, ticket_id, "person", "message", {"messages": messages}
        )
        self._wake.set()

    async def to_staff(self, ticket_id: str, kind: str, payload: dict[str, Any]) -> None:
        await anyio.to_thread.run_sync(self.store.enqueue, ticket_id, "staff", kind, payload)
        self._wake.set()

    async def deliver_due(self) -> int:
        """Claim the due items and try each once; returns how many were delivered."""
        claimed_at = time.monotonic()
        items = await anyio.to_thread.run_sync(self.store.claim_due, self.batch, self.lease_seconds)
        done = 0
        for item in items:
            if time.monotonic() - claimed_at > self.lease_seconds / 2 and not (
                await anyio.to_thread.run_sync(self.store.renew, item, self.lease_seconds)
            ):
                continue  # the lease ran out and another gateway took it, or it was forgotten
            ticket = await anyio.to_thread.run_sync(self.store.get, item.ticket_id)
            try:
                if ticket is not None:
                    await self._deliver(item, ticket)
            except ChannelError as exc:
                wait = exc.retry_after if exc.retry_after is not None else backoff(item.attempts)
                cause = type(exc.__cause__ or exc).__name__
                logger.warning(
                    "outbox.retry item=%d ticket=%s attempt=%d in=%.0fs error=%s",
                    item.id, item.ticket_id, item.attempts + 1, wait, cause,
                )  # fmt: skip
                await anyio.to_thread.run_sync(self.store.failed, item.id, str(exc), wait)
                continue
            await anyio.to_thread.run_sync(self.store.delivered, item.id)
            done += 1
        return done

    async def _deliver(self, item: OutboxItem, ticket: Ticket) -> None:
        if item.target == "person":
            deliverer = self.people.get(ticket.channel)
            if deliverer is None:
                raise ChannelError(f"no deliverer for channel {ticket.channel}")
            await deliverer(ticket, item.payload.get("messages", []))
            return
        for deliver in self.staff:
            ref = await deliver(ticket, item.kind, item.payload)
            if ref and self.on_staff_ref is not None:
                await self.on_staff_ref(ticket.id, ref)

    async def run(self, interval: float = 1.0) -> None:
        """Deliver forever (a background task of the gateway)."""
        while True:
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception:  # keep delivering whatever one item did
                logger.exception("outbox.worker_error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
