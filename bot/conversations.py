"""The one door every channel sends a person's message through.

In order, for every channel alike:

1. input rules: the text is cleaned (peerpath.text), empty or over-long text
   is refused, and each person has a rate limit;
2. the crisis safety net grades the message (bot/safety);
3. an open hand-off: the message goes to the peer team, not Rasa;
4. crisis: the crisis reply at once, from the gateway, never waiting on Rasa;
   Rasa is told afterwards, in the background, so its tracker ends a form;
5. commands the gateway answers itself, and payloads Rasa wouldn't know;
6. Rasa, with the safety grade in the message metadata; its request for a
   peer (a custom payload) becomes a ticket here, so every channel behaves
   the same; a sensitive message gets one quiet line about 988 after the answer.

Rasa down or slow becomes a calm message, whichever channel asked; a plain
request for a human still opens a ticket then, after one short timeout at most.
History and forgetting go through here too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import anyio
import numpy as np

from bot.handoff import replies as handoff_replies
from bot.handoff.service import HandoffService, public_state
from bot.rasa import tracker
from bot.rasa.client import RasaServer
from bot.rasa.replies import handoff_requests, normalize, unavailable
from bot.ratelimit import Limiter
from bot.safety import NOTHING, Assessment, SafetyNet
from peerpath import vectors
from peerpath.asking import asks_for_human
from peerpath.crisis import care_message, crisis_message
from peerpath.errors import BadRequest, RasaUnavailable, StoreUnavailable
from peerpath.ids import conversation_id
from peerpath.protocol import (
    HELP,
    REQUEST_HUMAN,
    Command,
    Intent,
    MessageKind,
    MessageMeta,
    Safety,
    parse_payload,
)
from peerpath.search.embedder import Encoder
from peerpath.settings import Secret
from peerpath.text import clean
from peerpath.types import OutMessage, Reply

logger = logging.getLogger(__name__)

# A request for a human waits at most this long for Rasa's consent question;
# after that the gateway opens the ticket itself.
HUMAN_REQUEST_TIMEOUT = 3.0
UNKNOWN_COMMAND = "That command isn't one I know. Here is what I can help with:"
NO_OPEN_REQUEST = "There's no open request for a peer right now; you're with the assistant."
INTENTS = frozenset(Intent)


class Conversations:
    """Routes a person's message to the safety net, a peer, or Rasa."""

    def __init__(
        self,
        rasa: RasaServer,
        secret: Secret,
        handoff: HandoffService,
        safety: SafetyNet | None,
        limiter: Limiter,
        max_chars: int,
        tracker_db: Path | None = None,
        embedder: Encoder | None = None,
        tracker_url: Secret | None = None,
    ) -> None:
        self._rasa = rasa
        self._embedder = embedder
        self._secret = secret
        self.handoff = handoff
        self._safety = safety
        self._limiter = limiter
        self._max_chars = max_chars
        self._tracker_db = tracker_db
        self._tracker_url = tracker_url  # Rasa's tracker store when not the SQLite file
        self._background: set[asyncio.Task[Any]] = set()
        # One message through the model at a time: the machine's other core is Rasa's.
        self._model_turns = anyio.CapacityLimiter(1)

    def conversation_id(self, channel: str, user_key: str) -> str:
        """The pseudonymous id Rasa and the logs know this person by."""
        return conversation_id(self._secret, channel, user_key)

    # --- input rules ------------------------------------------------------------

    async def accept(self, channel: str, user_key: str, text: str) -> str:
        """The cleaned text, or a BadRequest a channel shows the person (same rules everywhere)."""
        text = clean(text)
        if not text:
            raise BadRequest("text is empty: please type a message.")
        if len(text) > self._max_chars:
            raise BadRequest(
                f"text is {len(text)} characters long; the limit is {self._max_chars}. "
                "Please send a shorter message.",
                413,
            )
        wait = await self._limiter.hit(f"{channel}:{user_key}")
        if wait > 0:
            seconds = max(1, round(wait))
            raise BadRequest(
                f"You're sending messages very fast. Please wait {seconds} seconds.", 429, seconds
            )
        return text

    def _understand(self, text: str) -> tuple[Assessment, np.ndarray | None]:
        """The message's vector (embedded once, here) and its safety grade."""
        if parse_payload(text) is not None:  # buttons and commands: nothing to embed or grade
            return NOTHING, None
        vector = self._embedder.encode_query(text) if self._embedder is not None else None
        grade = self._safety.assess(text, vector) if self._safety is not None else NOTHING
        return grade, vector

    # --- the message path ---------------------------------------------------------

    async def handle(self, channel: str, user_key: str, text: str, address: str = "") -> Reply:
        """Answer one message from a person on `channel` (BadRequest if refused)."""
        text = await self.accept(channel, user_key, text)
        conv = self.conversation_id(channel, user_key)
        started = time.perf_counter()
        grade, vector = await anyio.to_thread.run_sync(
            self._understand, text, limiter=self._model_turns
        )
        if grade.level != Safety.NONE:
            logger.log(
                logging.WARNING if grade.crisis else logging.INFO,
                "safety.%s conv=%s channel=%s by=%s score=%.2f emergency=%s lang=%s",
                grade.level, conv, channel, grade.by, grade.score, grade.emergency, grade.lang,
            )  # fmt: skip
        try:
            ticket = await self.handoff.active_ticket(conv)
        except StoreUnavailable as exc:  # a crisis reply, Rasa's answers: both go on without it
            logger.warning("handoff.store_unavailable conv=%s error=%s", conv, exc)
            ticket = None
        if ticket is not None:
            messages = await self.handoff.person_message(ticket, text, grade)
            ticket = await self.handoff.get(ticket.id)
            return Reply(tuple(messages), handoff=public_state(ticket))
        meta = MessageMeta(
            channel, grade.level, grade.emergency, grade.lang,
            vector=vectors.encode(vector) if vector is not None else "",
        )  # fmt: skip
        if grade.crisis:
            reply = Reply((crisis_message(grade.lang, grade.emergency),))
            self._later(self._tell_rasa(conv, text, meta))
        else:
            reply = await self._answer(conv, channel, address, text, meta)
            if grade.level == Safety.SENSITIVE and reply.status == "ok" and not reply.handoff:
                reply = Reply((*reply.messages, care_message(grade.lang)), reply.status)
        logger.info(
            "chat.reply conv=%s channel=%s messages=%d status=%s ms=%.0f",
            conv, channel, len(reply.messages), reply.status,
            (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return reply

    async def _answer(
        self, conv: str, channel: str, address: str, text: str, meta: MessageMeta
    ) -> Reply:
        if text == Command.CONNECT_URGENT:
            logger.info("handoff.asked conv=%s channel=%s urgent=True", conv, channel)
            return await self._open_ticket(conv, channel, address, "other", True, ())
        if text in set(Command):
            return Reply((OutMessage(text=NO_OPEN_REQUEST, kind=MessageKind.HANDOFF),))
        if text.startswith("/"):
            payload = parse_payload(text)
            if payload is None or payload[0] not in INTENTS:
                return await self._unknown_command(conv, meta)
        asking = text == REQUEST_HUMAN or asks_for_human(text)
        if asking:
            logger.info("handoff.asked conv=%s channel=%s", conv, channel)
        return await self._ask_rasa(conv, channel, address, text, meta, asking)

    async def _ask_rasa(
        self,
        conv: str,
        channel: str,
        address: str,
        text: str,
        meta: MessageMeta,
        asking_for_human: bool = False,
    ) -> Reply:
        try:
            await self.handoff.resume_if_needed(conv)
        except StoreUnavailable as exc:  # bookkeeping: Rasa answers all the same
            logger.warning("handoff.store_unavailable conv=%s error=%s", conv, exc)
        try:
            timeout = HUMAN_REQUEST_TIMEOUT if asking_for_human else None
            raw = await self._rasa.send(conv, text, meta, timeout=timeout)
        except RasaUnavailable as exc:
            logger.warning("chat.rasa_unavailable conv=%s error=%s", conv, exc)
            if asking_for_human:
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
        if not messages:
            # Every turn says something; nothing at all means Rasa or its action server
            # failed inside (Rasa's REST channel answers 200 [] when a turn raised,
            # e.g. with its lock store or tracker store down).
            actions_up = await self._rasa.action_server_healthy(conv)
            logger.warning("chat.empty_reply conv=%s action_server=%s", conv,
                           "up" if actions_up else "down")  # fmt: skip
            return Reply(unavailable(), status="degraded")
        return Reply(messages)

    async def _unknown_command(self, conv: str, meta: MessageMeta) -> Reply:
        """A "/something" Rasa can't read: say so, and show the menu."""
        notice = OutMessage(text=UNKNOWN_COMMAND, kind=MessageKind.NOTICE)
        try:
            menu = normalize(await self._rasa.send(conv, HELP, meta))
        except RasaUnavailable:
            return Reply((notice,), status="degraded")
        return Reply((notice, *menu))

    async def _open_ticket(
        self,
        conv: str,
        channel: str,
        address: str,
        topic: str,
        urgent: bool,
        before: tuple[OutMessage, ...],
    ) -> Reply:
        try:
            ticket, status = await self.handoff.open(conv, channel, address, topic, urgent)
        except StoreUnavailable as exc:
            logger.warning("handoff.store_unavailable conv=%s error=%s", conv, exc)
            return Reply((*before, handoff_replies.UNREACHABLE), status="degraded")
        return Reply(before + tuple(status), handoff=public_state(ticket))

    async def _tell_rasa(self, conv: str, text: str, meta: MessageMeta) -> None:
        """After a crisis reply: Rasa records the message as crisis (and ends a form)."""
        try:
            await self._rasa.send(conv, text, meta)
        except RasaUnavailable as exc:
            logger.warning("safety.rasa_not_told conv=%s error=%s", conv, exc)

    def _later(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    # --- history and forgetting -------------------------------------------------

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
        if self._tracker_url:
            url = self._tracker_url.reveal()
            events = await anyio.to_thread.run_sync(tracker.forget_in, url, conv)
        elif self._tracker_db is not None:
            events = await anyio.to_thread.run_sync(tracker.forget, self._tracker_db, conv)
        else:
            events = 0
        deleted["assistant_events"] = events
        logger.info("privacy.forget conv=%s channel=%s", conv, channel)
        return deleted
