"""The peer staff's side of Telegram: one configured group chat.

Each new ticket arrives there as a card (topic, channel, waiting time: no
more personal data than needed) with a Claim button. The peer who claims it
replies to the card, or to any message of that ticket, to write to the
person; /end closes it (as a reply, or `/end T1A2B3C`); /queue lists open
tickets; /replies lists the team's saved replies (to copy into a reply). Every
action checks that the sender is a member of the staff chat; anyone else is
refused and the attempt is logged (never with message text).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import anyio
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.channels.telegram.format import split
from bot.handoff.service import HandoffService
from bot.handoff.store import Ticket
from peerpath.errors import ChannelError, HandoffError
from peerpath.protocol import CLOSED_STATES, TOPIC_LABELS, Card, TicketState, crisis_topic

logger = logging.getLogger(__name__)
TICKET_ID = re.compile(r"\bT[0-9A-F]{6}\b")
MEMBER_STATES = {
    ChatMemberStatus.OWNER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
    ChatMemberStatus.RESTRICTED,
}


def alert_text(ticket_id: str, payload: dict[str, Any]) -> str:
    """The alert when a person in a hand-off may be in crisis, with the card they were shown,
    or when an urgent ticket has waited unclaimed (the on-shift leads mentioned)."""
    if payload.get("reason") == "escalate":
        mentions = " ".join(str(m) for m in payload.get("mentions") or [])
        minutes = int(payload.get("minutes") or 0)
        return (f"🚨 {ticket_id} is urgent and nobody has claimed it for {minutes} min. "
                f"{mentions + ' ' if mentions else ''}Please pick it up now.")  # fmt: skip
    if payload.get("reason") != "crisis":
        return f"⚠️ {ticket_id} is urgent. Please respond now."
    shown = TOPIC_LABELS.get(crisis_topic(Card.read(payload.get("card"))), "")
    return f"⚠️ {ticket_id} may be in crisis. {shown.removeprefix('Crisis: ')}. Please respond now."


def card_text(view: dict[str, Any]) -> str:
    """A ticket card: what staff need to pick it up, nothing more."""
    minutes = view.get("waiting_seconds", 0) // 60
    topic = str(view.get("topic") or "other")
    lines = [
        f"{'🚨 URGENT ' if view.get('urgent') else ''}Ticket {view['id']}",
        f"Topic: {TOPIC_LABELS.get(topic, topic)} · Channel: {view.get('channel')} · "
        f"Waiting: {minutes} min",
    ]
    if not view.get("in_hours", True):
        lines.append("Arrived outside office hours.")
    state = view.get("state")
    if state == TicketState.CLAIMED:
        lines.append(f"✅ Claimed by {view.get('peer_name')}. Reply to this card to write.")
    elif state in CLOSED_STATES:
        lines.append(f"Closed: {state}.")
    elif view.get("callback"):
        lines.append("📝 Left a message and a way to be reached: open it in the staff console.")
    return "\n".join(lines)


class StaffDesk:
    """Tickets, claims and relays in the staff group chat."""

    def __init__(
        self, application: Application, chat_id: int | None, user_tag: Callable[[int], str]
    ) -> None:
        self.application = application
        self.chat_id = chat_id
        self.user_tag = user_tag
        self._handoff: HandoffService | None = None

    def attach(self, handoff: HandoffService) -> None:
        """The hand-off service the desk works on (given when the channel starts)."""
        self._handoff = handoff

    @property
    def enabled(self) -> bool:
        return self.chat_id is not None

    @property
    def bot(self) -> Bot:
        return self.application.bot

    @property
    def handoff(self) -> HandoffService:
        assert self._handoff is not None, "the staff desk has not started"
        return self._handoff

    def wire(self, app: Application) -> None:
        if self.chat_id is None:
            return
        group = filters.Chat(chat_id=self.chat_id)
        app.add_handler(CommandHandler("queue", self.queue, filters=group))
        app.add_handler(CommandHandler("end", self.end, filters=group))
        app.add_handler(CommandHandler("replies", self.replies, filters=group))
        app.add_handler(MessageHandler(group & filters.TEXT & ~filters.COMMAND & filters.REPLY,
                                       self.reply))  # fmt: skip

    def handles(self, update: Update) -> bool:
        query = update.callback_query
        return bool(query and (query.data or "").startswith("claim:"))

    async def is_staff(self, user_id: int) -> bool:
        """Whether this Telegram user is a member of the staff chat right now."""
        if self.chat_id is None:
            return False
        try:
            member = await self.bot.get_chat_member(self.chat_id, user_id)
        except TelegramError:
            return False
        return member.status in MEMBER_STATES

    async def _staff_command(self, update: Update, action: str) -> Message | None:
        """The message of a staff command, or None (logged) when the sender isn't staff."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None
        if not await self.is_staff(user.id):
            await self._refuse(update, action)
            return None
        return message

    async def _refuse(self, update: Update, action: str) -> None:
        user = update.effective_user
        logger.warning("staff.refused channel=telegram action=%s user=%s", action,
                       self.user_tag(user.id) if user else "-")  # fmt: skip

    # --- outbox: what the staff group is told ------------------------------------

    async def deliver(self, ticket: Ticket, kind: str, payload: dict[str, Any]) -> str | None:
        """The outbox's staff deliverer; returns the card's message id for new tickets."""
        if self.chat_id is None:
            return None
        try:
            if kind == "new_ticket":
                message = await self.bot.send_message(
                    self.chat_id, card_text(payload), reply_markup=self._claim_button(ticket.id)
                )
                return str(message.message_id)
            reply_to = int(ticket.staff_ref) if ticket.staff_ref else None
            if kind == "person_message":
                for piece in split(f"💬 {ticket.id} (person): {payload.get('text', '')}"):
                    await self.bot.send_message(
                        self.chat_id,
                        piece,
                        reply_parameters=ReplyParameters(reply_to) if reply_to else None,
                    )
            elif kind == "alert":
                await self.bot.send_message(
                    self.chat_id,
                    alert_text(ticket.id, payload),
                    reply_parameters=ReplyParameters(reply_to) if reply_to else None,
                )
            elif reply_to is not None:  # claimed, ended, cancelled, expired, callback
                waiting = payload.get("state") == TicketState.WAITING
                await self.bot.edit_message_text(
                    card_text(payload), chat_id=self.chat_id, message_id=reply_to,
                    reply_markup=self._claim_button(ticket.id) if waiting else None,
                )  # fmt: skip
        except TelegramError as exc:
            raise ChannelError("staff group delivery failed") from exc
        return None

    async def remember_card(self, ticket_id: str, ref: str) -> None:
        await self.handoff.remember_staff_ref(ticket_id, ref)

    @staticmethod
    def _claim_button(ticket_id: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton("Claim", callback_data=f"claim:{ticket_id}")]]
        )

    # --- what staff do ---------------------------------------------------------------

    async def tap(self, update: Update) -> None:
        """The Claim button on a ticket card."""
        query = update.callback_query
        user = update.effective_user
        assert query is not None and user is not None
        if (
            update.effective_chat is None
            or update.effective_chat.id != self.chat_id
            or not (await self.is_staff(user.id))
        ):
            await self._refuse(update, "claim")
            await query.answer("Only the peer staff can claim tickets.", show_alert=True)
            return
        ticket_id = (query.data or "").removeprefix("claim:")
        try:
            await self.handoff.claim(ticket_id, f"tg:{user.id}", user.first_name or "A peer")
        except HandoffError as exc:
            await query.answer(exc.detail, show_alert=True)
            return
        await query.answer("You have this ticket. Reply to the card to write to the person.")

    def _ticket_of(self, message: Message | None, text: str = "") -> str | None:
        found = TICKET_ID.search(text)
        if found:
            return found.group(0)
        replied = message.reply_to_message if message else None
        if replied is not None:
            found = TICKET_ID.search(replied.text or "")
            if found:
                return found.group(0)
        return None

    async def reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reply in the staff group to a ticket's message: relay it to the person."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ticket_id = self._ticket_of(message)
        if ticket_id is None:
            return  # ordinary conversation among staff
        if not await self.is_staff(user.id):
            await self._refuse(update, "reply")
            return
        try:
            await self.handoff.staff_send(ticket_id, f"tg:{user.id}", message.text or "")
        except HandoffError as exc:
            await message.reply_text(exc.detail)

    async def end(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/end (as a reply to a ticket message, or /end T1A2B3C): close the chat."""
        message, user = await self._staff_command(update, "end"), update.effective_user
        if message is None or user is None:
            return
        ticket_id = self._ticket_of(message, " ".join(context.args or []))
        if ticket_id is None:
            await message.reply_text(
                "Reply to a ticket's message with /end, or write /end T1A2B3C."
            )
            return
        try:
            await self.handoff.end(ticket_id, f"tg:{user.id}")
        except HandoffError as exc:
            await message.reply_text(exc.detail)
            return
        await message.reply_text(f"{ticket_id} ended. The person is back with the assistant.")

    async def queue(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/queue: the open tickets."""
        message = await self._staff_command(update, "queue")
        if message is None:
            return
        tickets = await self.handoff.open_tickets()
        if not tickets:
            await message.reply_text("No open tickets. 🌿")
            return
        await message.reply_text("\n\n".join(card_text(t) for t in tickets), parse_mode=None)

    async def replies(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/replies: the team's saved replies, each title with its text, to copy."""
        message = await self._staff_command(update, "replies")
        if message is None:
            return
        saved = await anyio.to_thread.run_sync(self.handoff.desk.replies)
        if not saved:
            await message.reply_text("No saved replies yet. A team lead adds them in /staff.")
            return
        listing = "\n\n".join(
            f"{r['title']}{' (' + r['lang'] + ')' if r['lang'] else ''}:\n{r['text']}"
            for r in saved
        )
        for piece in split(listing):
            await message.reply_text(piece, parse_mode=None)
