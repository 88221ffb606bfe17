"""One place every channel sends a person's message through.

In order: the crisis safety net, then an open hand-off (the message goes to
the peer team), then Rasa; a plain request for a human goes to Rasa as its
`request_human` intent, whatever the NLU would make of it. Rasa's request for
a peer (a custom payload) becomes a ticket here, so every channel behaves the
same. Rasa down or slow becomes a calm message, whichever channel asked.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import anyio

from gateway.handoff.service import HandoffService, public_state
from gateway.rasa import tracker
from gateway.rasa.client import RasaClient
from gateway.rasa.replies import handoff_requests, normalize, unavailable
from gateway.safety import SafetyNet, Verdict
from peerpath.asking import asks_for_human
from peerpath.crisis import CRISIS_BUTTONS, CRISIS_TEXT
from peerpath.errors import RasaUnavailable
from peerpath.ids import conversation_id
from peerpath.protocol import CRISIS, REQUEST_HUMAN, MessageKind
from peerpath.settings import Secret
from peerpath.types import OutMessage, Reply

logger = logging.getLogger(__name__)


def crisis_reply() -> OutMessage:
    """The crisis message the gateway gives by itself when Rasa can't."""
    return OutMessage(text=CRISIS_TEXT, buttons=CRISIS_BUTTONS, kind=MessageKind.CRISIS)


class Conversations:
    """Routes a person's message to the safety net, a peer, or Rasa."""

    def __init__(
        self,
        rasa: RasaClient,
        secret: Secret,
        handoff: HandoffService,
        safety: SafetyNet | None = None,
        tracker_db: Path | None = None,
    ) -> None:
        self._rasa = rasa
        self._secret = secret
        self.handoff = handoff
        self._safety = safety
        self._tracker_db = tracker_db

    def conversation_id(self, channel: str, user_key: str) -> str:
        """The pseudonymous id Rasa and the logs know this person by."""
        return conversation_id(self._secret, channel, user_key)

    async def check(self, text: str) -> Verdict:
        if self._safety is None:
            return Verdict(False, "", 0.0)
        return await anyio.to_thread.run_sync(self._safety.check, text)

    async def handle(
        self,
        channel: str,
        user_key: str,
        text: str,
        address: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> Reply:
        """Answer one message from a person on `channel`."""
        conv = self.conversation_id(channel, user_key)
        started = time.perf_counter()
        verdict = await self.check(text)
        if verdict.crisis:
            logger.warning(
                "safety.crisis conv=%s channel=%s by=%s score=%.2f",
                conv, channel, verdict.by, verdict.score,
            )  # fmt: skip
        ticket = await self.handoff.active_ticket(conv)
        if ticket is not None:
            messages = await self.handoff.person_message(ticket, text, verdict.crisis)
            ticket = await self.handoff.get(ticket.id)
            return Reply(tuple(messages), handoff=public_state(ticket))
        if verdict.crisis:
            return await self._crisis(conv, channel)
        if asks_for_human(text):
            logger.info("handoff.asked conv=%s channel=%s", conv, channel)
            text = REQUEST_HUMAN
        reply = await self._ask_rasa(conv, channel, address, text, metadata)
        logger.info(
            "chat.reply conv=%s channel=%s messages=%d status=%s ms=%.0f",
            conv, channel, len(reply.messages), reply.status,
            (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return reply

    async def _ask_rasa(
        self, conv: str, channel: str, address: str, text: str, metadata: dict[str, Any] | None
    ) -> Reply:
        await self.handoff.resume_if_needed(conv)
        try:
            raw = await self._rasa.send(conv, text, channel, metadata)
        except RasaUnavailable as exc:
            logger.warning("chat.rasa_unavailable conv=%s error=%s", conv, exc)
            if text.strip() == REQUEST_HUMAN:
                # A peer must stay reachable even when the assistant is down.
                return await self._open_ticket(conv, channel, address, "other", False, ())
            return Reply(unavailable(), status="unavailable")
        messages = normalize(raw)
        requests = handoff_requests(raw)
        if requests:
            request = requests[0]
            return await self._open_ticket(
                conv, channel, address, request.topic, request.urgent, messages
            )
        if not messages and not await self._rasa.action_server_healthy():
            logger.warning("chat.action_server_down conv=%s", conv)
            return Reply(unavailable(), status="degraded")
        return Reply(messages)

    async def _open_ticket(
        self,
        conv: str,
        channel: str,
        address: str,
        topic: str,
        urgent: bool,
        before: tuple[OutMessage, ...],
    ) -> Reply:
        ticket, status = await self.handoff.open(conv, channel, address, topic, urgent)
        return Reply(before + tuple(status), handoff=public_state(ticket))

    async def _crisis(self, conv: str, channel: str) -> Reply:
        """Crisis resources at once: Rasa's crisis reply, or the gateway's own."""
        try:
            messages = normalize(await self._rasa.send(conv, CRISIS, channel))
        except RasaUnavailable:
            messages = ()
        if not any(m.kind == "crisis" for m in messages):
            messages = (crisis_reply(),)
        return Reply(messages)

    async def has_open_handoff(self, channel: str, user_key: str) -> bool:
        """Whether this person's messages go to a peer right now."""
        conv = self.conversation_id(channel, user_key)
        return await self.handoff.active_ticket(conv) is not None

    async def history(self, channel: str, user_key: str) -> dict[str, Any]:
        """The conversation so far, for a chat screen that was reloaded.

        Rebuilt from Rasa's tracker (with the assistant) and the hand-off records
        (with peers), in time order: {"messages", "handoff", "status"?}.
        """
        conv = self.conversation_id(channel, user_key)
        body: dict[str, Any] = {}
        try:
            items = tracker.history_items(await self._rasa.tracker_events(conv))
        except RasaUnavailable:
            items, body["status"] = [], "degraded"
        with_peers, ticket = await self.handoff.history_items(conv)
        items = sorted(items + with_peers, key=lambda item: item[0])
        body["messages"] = [item for _, item in items]
        body["handoff"] = public_state(ticket) if ticket is not None else None
        return body

    async def forget(self, channel: str, user_key: str) -> dict[str, int]:
        """Delete this person's conversation everywhere PeerPath keeps it."""
        conv = self.conversation_id(channel, user_key)
        deleted = await self.handoff.forget(conv)
        deleted["assistant_events"] = (
            await anyio.to_thread.run_sync(tracker.forget, self._tracker_db, conv)
            if self._tracker_db is not None
            else 0
        )
        logger.info("privacy.forget conv=%s channel=%s", conv, channel)
        return deleted
