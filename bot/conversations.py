"""The one door every channel sends a person's message through.

In order, for every channel alike:

1. the text is cleaned (peerpath.text) and empty text refused;
2. the crisis safety net grades the message (bot/safety), before any limit:
   a crisis message always gets the crisis reply and reaches a peer, however
   long it is and however fast the person (or their address) has written;
   anything else is then refused when over-long or too fast;
3. an open hand-off: the message goes to the peer team, not Rasa;
4. crisis: the crisis reply at once, from the gateway, never waiting on Rasa;
   Rasa is told afterwards, in the background, so its tracker ends a form;
5. commands the gateway answers itself, and payloads Rasa wouldn't know;
6. Rasa, with the safety grade in the message metadata; its request for a
   peer (a custom payload) becomes a ticket here, so every channel behaves
   the same; a sensitive message gets one quiet line about 988 after the answer.

Rasa down or slow becomes a calm message, whichever channel asked; a plain
request for a human still opens a ticket then, after one short timeout at most.
A message sent again with the same message id (a client retrying after a lost
reply) gets the reply already given, not a second turn (bot/replays.py).
History and forgetting go through here too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anyio
import numpy as np

from bot import language
from bot.handoff import replies as handoff_replies
from bot.handoff.service import HandoffService, public_state
from bot.language import Languages, said_in
from bot.rasa import tracker
from bot.rasa.client import RasaServer
from bot.rasa.replies import (
    NOTHING_TO_ADD,
    handoff_requests,
    normalize,
    still_working,
    unavailable,
)
from bot.ratelimit import Limiter
from bot.replays import CLAIM_TTL_S, MemoryReplays, Replays
from bot.safety import NOTHING, Assessment, SafetyNet
from peerpath import vectors
from peerpath.asking import asks_for_human
from peerpath.crisis import care_message, crisis_message
from peerpath.errors import BadRequest, RasaBusy, RasaUnavailable, StoreUnavailable
from peerpath.ids import conversation_id
from peerpath.protocol import (
    HELP,
    REQUEST_HUMAN,
    Card,
    Command,
    Intent,
    MessageKind,
    MessageMeta,
    Safety,
    crisis_topic,
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
REPLAY_POLL_S = 0.2  # how often a retried message looks for its first try's reply


@dataclass(frozen=True)
class _Turn:
    """One message on its way through, once graded."""

    channel: str
    user_key: str
    conv: str
    text: str
    grade: Assessment
    address: str
    client: str
    started: float


def connect_urgent(text: str) -> Card | None:
    """The card shown, when `text` is the crisis reply's "connect me" button; else None."""
    parsed = parse_payload(text)
    if parsed is None or f"/{parsed[0]}" != Command.CONNECT_URGENT:
        return None
    return Card.read(parsed[1].get("card"))


def outcome(crisis: bool, reply: Reply) -> str:
    """What a reply was, as the metrics' `outcome` label (bot/metrics.OUTCOMES)."""
    if crisis:
        return "crisis"
    if reply.handoff:
        return "handoff"
    return "answered" if reply.status == "ok" else reply.status


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
        address_limiter: Limiter | None = None,
        tracker_db: Path | None = None,
        embedder: Encoder | None = None,
        tracker_url: Secret | None = None,
        languages: Languages | None = None,
        replays: Replays | None = None,
    ) -> None:
        self._rasa = rasa
        self._replays = replays or MemoryReplays()
        self.metrics = handoff.metrics
        self.languages = languages or Languages()
        self._embedder = embedder
        self._secret = secret
        self.handoff = handoff
        self._safety = safety
        self._limiter = limiter
        self._address_limiter = address_limiter
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

    @staticmethod
    def cleaned(text: str) -> str:
        """The cleaned text, or a BadRequest when nothing is left."""
        text = clean(text)
        if not text:
            raise BadRequest("text is empty: please type a message.")
        return text

    async def limit(self, channel: str, user_key: str, text: str, client: str = "") -> None:
        """A BadRequest a channel shows the person when a message that is no crisis is
        over-long, or comes too fast from the person or their address (same everywhere)."""
        if len(text) > self._max_chars:
            raise BadRequest(
                f"text is {len(text)} characters long; the limit is {self._max_chars}. "
                "Please send a shorter message.",
                413,
            )
        waits = [await self._limiter.hit(f"{channel}:{user_key}")]
        if client and self._address_limiter is not None:
            waits.append(await self._address_limiter.hit(client))
        wait = max(waits)
        if wait > 0:
            seconds = max(1, round(wait))
            raise BadRequest(
                f"You're sending messages very fast. Please wait {seconds} seconds.", 429, seconds
            )

    def _grade(self, text: str) -> Assessment:
        """The safety grade, before anything else (the net reads words; it needs no vector)."""
        if self._safety is None or parse_payload(text) is not None:
            return NOTHING
        return self._safety.assess(text)

    def _language(self, conv: str, text: str) -> str:
        if language.picked(text) is None and parse_payload(text) is not None:
            return self.languages.current(conv)  # a button or command says nothing of language
        return self.languages.choose(conv, text)

    def _said(self, conv: str, *messages: OutMessage) -> tuple[OutMessage, ...]:
        """The gateway's own messages in the conversation's language."""
        return said_in(self.languages.current(conv), *messages)

    def _vector(self, text: str) -> np.ndarray | None:
        """The message's vector, embedded once, here, for Rasa's NLU and search."""
        if self._embedder is None or parse_payload(text) is not None:
            return None
        return self._embedder.encode_query(text)

    # --- the message path ---------------------------------------------------------

    async def handle(
        self,
        channel: str,
        user_key: str,
        text: str,
        address: str = "",
        client: str = "",
        message_id: str | None = None,
    ) -> Reply:
        """Answer one message from a person on `channel` (BadRequest if refused).

        `address` is where the person is reached on their channel (a Telegram chat);
        `client` the network address whose rate limit applies (the web channel's);
        `message_id` the client's id for this message: sent again with the same id, it
        gets the reply already given instead of a second turn (bot/replays.py).
        """
        text = self.cleaned(text)
        conv = self.conversation_id(channel, user_key)
        started = time.perf_counter()
        grade = await anyio.to_thread.run_sync(self._grade, text, limiter=self._model_turns)
        self.metrics.stage("safety", time.perf_counter() - started)
        turn = _Turn(channel, user_key, conv, text, grade, address, client, started)
        if message_id is None:
            return await self._turn(turn)
        if grade.crisis:  # nothing stands before a crisis reply: shown twice is no harm
            return await self._turn(turn, message_id)
        return await self._once(turn, message_id)

    async def _once(self, turn: _Turn, message_id: str) -> Reply:
        """The turn, run once for a message id: a retry gets the reply already given."""
        deadline = time.monotonic() + CLAIM_TTL_S
        while True:
            claim = await self._replays.claim(turn.conv, message_id)
            if claim.reply is not None:
                logger.info("chat.replayed conv=%s channel=%s", turn.conv, turn.channel)
                return Reply.from_dict(claim.reply)
            if claim.mine or time.monotonic() > deadline:
                break
            await asyncio.sleep(REPLAY_POLL_S)  # the first try is still running
        try:
            reply = await self._turn(turn)
        except BaseException:
            await self._replays.release(turn.conv, message_id)
            raise
        if reply.status == "ok":
            await self._replays.keep(turn.conv, message_id, reply.to_dict())
        else:  # a calm "try again" isn't kept: the retry may get an answer
            await self._replays.release(turn.conv, message_id)
        return reply

    async def _turn(self, turn: _Turn, crisis_id: str | None = None) -> Reply:
        channel, conv, text, grade = turn.channel, turn.conv, turn.text, turn.grade
        if not grade.crisis:  # nothing stands before a crisis reply
            try:
                await self.limit(channel, turn.user_key, text, turn.client)
            except BadRequest:
                self.metrics.reply(channel, "refused")
                raise
        if grade.level != Safety.NONE:
            logger.log(
                logging.WARNING if grade.crisis else logging.INFO,
                "safety.%s conv=%s channel=%s by=%s score=%.2f card=%s lang=%s",
                grade.level, conv, channel, grade.by, grade.score, grade.card, grade.lang,
            )  # fmt: skip
        try:
            ticket = await self.handoff.active_ticket(conv)
        except StoreUnavailable as exc:  # a crisis reply, Rasa's answers: both go on without it
            logger.warning("handoff.store_unavailable conv=%s error=%s", conv, exc)
            ticket = None
        if ticket is not None:
            messages = await self.handoff.person_message(ticket, text[: self._max_chars], grade)
            ticket = await self.handoff.get(ticket.id)
            self.metrics.reply(channel, "crisis" if grade.crisis else "handoff")
            return Reply(tuple(messages), handoff=public_state(ticket))
        vector = None
        if not grade.crisis:
            embedding = time.perf_counter()
            vector = await anyio.to_thread.run_sync(self._vector, text, limiter=self._model_turns)
            self.metrics.stage("embed", time.perf_counter() - embedding)
        # the conversation's language; a crisis reads only what the net and the conversation
        # already know (no detector stands before a crisis reply)
        if grade.crisis:
            spanish = grade.lang == "es" or self.languages.current(conv) == "es"
            lang = "es" if spanish else "en"
        else:
            lang = self._language(conv, text)
        grade = replace(grade, lang=lang)
        meta = MessageMeta(
            channel, grade.level, grade.card, lang,
            vector=vectors.encode(vector) if vector is not None else "",
        )  # fmt: skip
        if grade.crisis:
            reply = Reply((crisis_message(grade.lang, grade.card),))
            self.metrics.crisis_reply(str(grade.card), grade.lang)
            self._later(self._tell_rasa(conv, text[: self._max_chars], meta, crisis_id))
        else:
            reply = await self._answer(conv, channel, turn.address, text, meta)
            if grade.level == Safety.SENSITIVE and reply.status == "ok" and not reply.handoff:
                reply = Reply((*reply.messages, care_message(grade.lang)), reply.status)
        took = time.perf_counter() - turn.started
        self.metrics.stage("turn", took)
        self.metrics.reply(channel, outcome(grade.crisis, reply))
        logger.info(
            "chat.reply conv=%s channel=%s messages=%d status=%s ms=%.0f",
            conv, channel, len(reply.messages), reply.status, took * 1000,
        )  # fmt: skip
        return reply

    async def _answer(
        self, conv: str, channel: str, address: str, text: str, meta: MessageMeta
    ) -> Reply:
        card = connect_urgent(text)
        if card is not None:
            logger.info("handoff.asked conv=%s channel=%s urgent=True card=%s", conv, channel, card)
            return await self._open_ticket(conv, channel, address, crisis_topic(card), True, ())
        if language.asks_for_languages(text):
            choice = OutMessage(text=language.QUESTION, buttons=language.CHOICES)
            return Reply((choice,))
        if language.picked(text) is not None:  # _language() has set it
            (done,) = self._said(conv, OutMessage(text=language.SET))
            try:
                menu = normalize(await self._rasa.send(conv, HELP, meta))
            except RasaUnavailable:
                menu = ()
            return Reply((done, *menu))
        rating = parse_payload(text) if text.startswith(Command.RATE_HANDOFF) else None
        if rating is not None:  # the stars after a peer chat: the gateway keeps them
            stars = rating[1].get("stars")
            stars = stars if isinstance(stars, int) and 0 <= stars <= 5 else 0
            lang = self.languages.current(conv)
            try:
                thanks = await self.handoff.rate(conv, stars, lang)
            except StoreUnavailable as exc:  # the rating is lost, the thanks is not
                logger.warning("handoff.store_unavailable conv=%s error=%s", conv, exc)
                thanks = handoff_replies.rated(stars, lang)
            return Reply(self._said(conv, thanks))
        if text in set(Command):
            no_request = OutMessage(text=NO_OPEN_REQUEST, kind=MessageKind.HANDOFF)
            return Reply(self._said(conv, no_request))
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
        started = time.monotonic()
        try:
            await self.handoff.resume_if_needed(conv)
        except StoreUnavailable as exc:  # bookkeeping: Rasa answers all the same
            logger.warning("handoff.store_unavailable conv=%s error=%s", conv, exc)
        try:
            # a request for a human waits one short timeout in all, bookkeeping included
            waited = time.monotonic() - started
            timeout = max(0.2, HUMAN_REQUEST_TIMEOUT - waited) if asking_for_human else None
            asked = time.perf_counter()
            raw = await self._rasa.send(conv, text, meta, timeout=timeout)
            self.metrics.stage("rasa", time.perf_counter() - asked)
        except RasaUnavailable as exc:
            kind = "busy" if isinstance(exc, RasaBusy) else "unavailable"
            self.metrics.rasa_errors.labels(kind=kind).inc()
            logger.warning("chat.rasa_unavailable conv=%s error=%s", conv, exc)
            if asking_for_human:
                # A peer must stay reachable even when the assistant is down.
                return await self._open_ticket(conv, channel, address, "other", False, ())
            if isinstance(exc, RasaBusy):  # this person's own earlier turns are still running
                return Reply(self._said(conv, *still_working()), status="busy")
            return Reply(self._said(conv, *unavailable()), status="unavailable")
        messages = normalize(raw)
        requests = handoff_requests(raw)
        if requests:
            request = requests[0]
            return await self._open_ticket(
                conv, channel, address, request.topic, request.urgent, messages
            )
        if not messages:
            return await self._nothing_said(conv, meta)
        return Reply(messages)

    async def _nothing_said(self, conv: str, meta: MessageMeta) -> Reply:
        """Rasa answered a turn with nothing. Its REST channel does that when a turn
        raised inside (lock store, tracker store or action server down) — and when the
        dialogue simply had nothing to say ("ok" with no question open). Only the
        first is an outage: the health checks tell them apart."""
        rasa_up, actions_up = await asyncio.gather(
            self._rasa.rasa_healthy(), self._rasa.action_server_healthy(conv)
        )
        logger.warning("chat.empty_reply conv=%s rasa=%s action_server=%s", conv,
                       "up" if rasa_up else "down", "up" if actions_up else "down")  # fmt: skip
        if not (rasa_up and actions_up):
            return Reply(self._said(conv, *unavailable()), status="degraded")
        (prompt,) = self._said(conv, OutMessage(text=NOTHING_TO_ADD))
        try:
            menu = normalize(await self._rasa.send(conv, HELP, meta))
        except RasaUnavailable:
            return Reply((prompt,))
        return Reply((prompt, *(m for m in menu if m.buttons)))

    async def _unknown_command(self, conv: str, meta: MessageMeta) -> Reply:
        """A "/something" Rasa can't read: say so, and show the menu."""
        (notice,) = self._said(conv, OutMessage(text=UNKNOWN_COMMAND, kind=MessageKind.NOTICE))
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
            ticket, status = await self.handoff.open(
                conv, channel, address, topic, urgent, self.languages.current(conv)
            )
        except StoreUnavailable as exc:
            logger.warning("handoff.store_unavailable conv=%s error=%s", conv, exc)
            lang = self.languages.current(conv)
            unreachable = self._said(conv, handoff_replies.speak(handoff_replies.UNREACHABLE, lang))
            return Reply((*before, *unreachable), status="degraded")
        return Reply(before + tuple(status), handoff=public_state(ticket))

    async def _tell_rasa(
        self, conv: str, text: str, meta: MessageMeta, message_id: str | None = None
    ) -> None:
        """After a crisis reply: Rasa records the message as crisis (and ends a form),
        once for a message id however often it was sent."""
        if message_id is not None:
            claim = await self._replays.claim(conv, message_id)
            if not claim.mine:
                return
            await self._replays.keep(conv, message_id, {"messages": []})
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
        self.languages.forget(conv)
        await self._replays.forget(conv)
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
