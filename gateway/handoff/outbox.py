"""Delivering hand-off messages to people and to staff, retried until done.

Everything to deliver is first written to the outbox table, so a message
relayed while a channel is down (or the gateway restarts) is sent later,
not dropped. Channels register a deliverer for people (by channel name) and
any number for staff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import anyio

from gateway.handoff.store import HandoffStore, OutboxItem, Ticket
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

    def __init__(self, store: HandoffStore) -> None:
        self.store = store
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
        """Try every due item once; returns how many were delivered."""
        items = await anyio.to_thread.run_sync(self.store.due)
        done = 0
        for item in items:
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
