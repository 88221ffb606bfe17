"""Several Rasa replicas, each conversation kept on one of them.

Open-source Rasa 3.6's Redis lock store can let two replicas work on one
conversation at once (RasaHQ/rasa#9213), so the gateway never leaves that to
chance: each conversation has its own order of replicas, by rendezvous
(highest-random-weight) hashing of its id, and goes to the first replica in
that order that is up. A stable hash: the same conversation reaches the same
replica from every gateway, and when a replica is added or removed only the
conversations that hash to it move.

A replica that cannot be reached (refused, reset, or failed moments ago) is
skipped, so its conversations move to their next replica while it is down and
come back when it returns; all replicas share the tracker store, so a moved
conversation goes on where it was. A replica that is slow is not skipped: a
timeout is reported as it is, since the message may still be running there.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx

from bot.rasa.client import RasaClient
from peerpath.errors import RasaUnavailable
from peerpath.protocol import MessageMeta
from peerpath.settings import Settings

T = TypeVar("T")


def weight(replica: str, conversation: str) -> int:
    """The replica's weight for one conversation (rendezvous hashing)."""
    digest = hashlib.blake2b(f"{replica}\n{conversation}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def order(replicas: Sequence[str], conversation: str) -> list[int]:
    """Replica positions in the order a conversation tries them."""
    return sorted(
        range(len(replicas)), key=lambda i: weight(replicas[i], conversation), reverse=True
    )


def unreachable(exc: RasaUnavailable) -> bool:
    """Rasa was not reached at all (so the message did not run there)."""
    return isinstance(exc.__cause__, httpx.TransportError) and not isinstance(
        exc.__cause__, httpx.TimeoutException
    )


class RasaRouter:
    """The RasaClient interface over several replicas (one client per replica)."""

    def __init__(self, clients: Sequence[RasaClient]) -> None:
        if not clients:
            raise ValueError("at least one Rasa replica")
        self.clients = list(clients)
        self._names = [c.base_url for c in self.clients]
        self.base_url = self._names[0]

    def _up_in_order(self, sender_id: str) -> list[RasaClient]:
        """The conversation's replicas in its order, those that failed moments ago left
        out (all of them, if none is up: the first is tried anyway)."""
        ranked = [self.clients[i] for i in order(self._names, sender_id)]
        return [c for c in ranked if not c.looks_down] or ranked[:1]

    def replica_for(self, sender_id: str) -> RasaClient:
        """The replica a conversation goes to now: its first one that is not down."""
        return self._up_in_order(sender_id)[0]

    @property
    def looks_down(self) -> bool:
        return all(c.looks_down for c in self.clients)

    async def _on_replica(self, sender_id: str, call: Callable[[RasaClient], Awaitable[T]]) -> T:
        last: RasaUnavailable | None = None
        for client in self._up_in_order(sender_id):
            try:
                return await call(client)
            except RasaUnavailable as exc:
                if not unreachable(exc):
                    raise
                last = exc
        assert last is not None
        raise last

    async def send(
        self, sender_id: str, text: str, meta: MessageMeta, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        return await self._on_replica(sender_id, lambda c: c.send(sender_id, text, meta, timeout))

    async def append_events(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        await self._on_replica(sender_id, lambda c: c.append_events(sender_id, events))

    async def tracker_events(self, sender_id: str) -> list[dict[str, Any]]:
        return await self._on_replica(sender_id, lambda c: c.tracker_events(sender_id))

    async def rasa_healthy(self) -> bool:
        """Whether at least one replica answers with a model loaded."""
        return any(await asyncio.gather(*(c.rasa_healthy() for c in self.clients)))

    async def action_server_healthy(self, sender_id: str | None = None) -> bool:
        """Whether the conversation's replica's action server answers (without a
        conversation: whether any replica's does)."""
        if sender_id is not None:
            return await self.replica_for(sender_id).action_server_healthy()
        return any(await asyncio.gather(*(c.action_server_healthy() for c in self.clients)))

    async def replicas_health(self) -> list[dict[str, str]]:
        """Each replica's state, for /health."""
        rasa = await asyncio.gather(*(c.rasa_healthy() for c in self.clients))
        actions = await asyncio.gather(*(c.action_server_healthy() for c in self.clients))
        return [
            {"rasa": "ok" if r else "down", "action_server": "ok" if a else "down"}
            for r, a in zip(rasa, actions, strict=True)
        ]

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


def rasa_for(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> RasaClient | RasaRouter:
    """One client for the embedded profile; a router over RASA_URLS when it is set."""
    if not settings.rasa_urls:
        return RasaClient(
            settings.rasa_url, settings.rasa_token, settings.rasa_timeout,
            action_server_url=settings.action_server_url, transport=transport,
        )  # fmt: skip
    actions = settings.action_server_urls or ("",) * len(settings.rasa_urls)
    return RasaRouter([
        RasaClient(url, settings.rasa_token, settings.rasa_timeout,
                   action_server_url=action, transport=transport)
        for url, action in zip(settings.rasa_urls, actions, strict=True)
    ])  # fmt: skip
