"""The shape every people's channel has (compare Rasa's InputChannel/OutputChannel pair).

A channel receives people's messages on its medium and hands each to
`Conversations`; it delivers what the hand-off sends a person later (a peer's
words, "a peer has joined") back on that medium. The app registers every
channel in one loop: its routes, then start() with the services, deliver()
with the outbox, stop() at shutdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from starlette.routing import BaseRoute

if TYPE_CHECKING:
    from bot.handoff.store import Ticket
    from bot.services import Services


class Channel(Protocol):
    """A way people reach PeerPath."""

    name: str

    def routes(self) -> list[BaseRoute]:
        """The HTTP or WebSocket routes this channel serves (may be none)."""
        ...

    async def start(self, services: Services) -> None:
        """Begin receiving; `services` gives the door to conversations and staff parts."""
        ...

    async def stop(self) -> None: ...

    async def deliver(self, ticket: Ticket, messages: list[dict[str, Any]]) -> None:
        """Give a person messages sent to them later (raises ChannelError to retry)."""
        ...
