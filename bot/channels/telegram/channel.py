"""PeerPath on Telegram (python-telegram-bot v22).

Long polling by default; webhook mode when TELEGRAM_WEBHOOK_URL is set, with
the `Application` running inside the gateway (`updater(None)`) and every
update checked for Telegram's secret-token header. People talk in private
chats; in groups the bot stays silent, except in the configured staff group
(staff.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import BotCommand, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram.format import Payloads, render
from bot.channels.telegram.staff import StaffDesk
from bot.handoff.store import Ticket
from bot.http import inputs
from bot.language import ASK as LANGUAGE_QUESTION
from bot.services import Services
from bot.shared.lease import Lease, LeaseKeeper
from bot.shared.payloads import SharedPayloads
from peerpath.catalogue import tr
from peerpath.errors import BadRequest as PeerPathBadRequest
from peerpath.errors import ChannelError
from peerpath.protocol import GREET, HELP, REQUEST_HUMAN, STOP, Command, MessageKind
from peerpath.settings import TelegramConfig
from peerpath.types import Button, OutMessage, Reply

logger = logging.getLogger(__name__)
CHANNEL = "telegram"
T = TypeVar("T")

# The command menu Telegram shows, in each language PeerPath speaks (peerpath/catalogue/):
# Telegram picks the list by the person's app language, English for everyone else.
COMMAND_TEXTS: dict[str, str] = {
    "start": "Start, and tell PeerPath who you are",
    "help": "What PeerPath can help with",
    "menu": "Show the menu",
    "human": "Talk to a peer supporter",
    "forget": "Delete your conversation history",
    "cancel": "Cancel what's going on",
    "idioma": "English / Español",
    "language": "English / Español",
}


def commands(lang: str) -> list[BotCommand]:
    """The command menu in `lang`."""
    return [BotCommand(name, tr(lang, text)) for name, text in COMMAND_TEXTS.items()]


COMMANDS = commands("en")
TEXT_ONLY = "I can only read text for now. Could you type your question in words?"
SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again in a minute."
TOO_FAST = "You're sending messages very fast. Please wait a moment and try again."
TROUBLE_NOTICE_SECONDS = 120.0
STOP_WAIT = 10.0  # seconds stopping the updater may take
WEBHOOK_MAX_BYTES = 1024 * 1024  # an update with a long message and its entities fits easily
FORGET_ASK = (
    "This deletes your conversation with PeerPath: what you said to the assistant, and "
    "any hand-off to a peer with its messages. It can't be undone. Delete it?"
)
# With several gateways, one polls at a time: it renews its lease every LEASE_RENEW s,
# and another takes over within LEASE_TTL + LEASE_RENEW s of its last renewal.
LEASE_TTL = 15.0
LEASE_RENEW = 5.0
FORGET_BUTTONS = (
    Button("Yes, delete my history", "forget:yes"),
    Button("No, keep it", "forget:no"),
)
NOTHING_DELETED = "Okay, nothing was deleted."
DELETED = (
    "Done. I deleted your conversation history: {events} records of your chat with the "
    "assistant, and {tickets} peer hand-off(s) with {messages} message(s). Anything you "
    "write from now on starts fresh."
)
BUTTON_EXPIRED = "That button has expired. Please type your question instead."


async def with_retries(call: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """Retry network hiccups with back-off (flood control is the rate limiter's job)."""
    for attempt in range(attempts):
        try:
            return await call()
        except (BadRequest, Forbidden):
            raise
        except (NetworkError, RetryAfter) as exc:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(seconds(exc) if isinstance(exc, RetryAfter) else 0.5 * 2**attempt)
    raise AssertionError("unreachable")


class TelegramChannel:
    """Builds, runs and stops the python-telegram-bot Application for PeerPath."""

    name = CHANNEL

    def __init__(self, config: TelegramConfig) -> None:
        self.config = config
        self._services: Services | None = None
        self.payloads = Payloads()
        self.webhook_secret = config.webhook_secret.reveal() or secrets.token_urlsafe(32)
        self._last_trouble: dict[int, float] = {}
        self._too_fast_told: dict[int, float] = {}
        self._polling_lease: LeaseKeeper | None = None
        builder = (
            Application.builder()
            .token(config.token.reveal())
            .base_url(f"{config.api_url}/bot")
            .base_file_url(f"{config.api_url}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=3))
            .concurrent_updates(8)
        )
        if config.webhook_url:
            builder = builder.updater(None)
        self.application = builder.build()
        self.staff = StaffDesk(self.application, config.staff_chat_id, self.user_tag)
        self._wire()

    @property
    def services(self) -> Services:
        assert self._services is not None, "the channel has not started"
        return self._services

    def user_tag(self, user_id: int) -> str:
        """The keyed pseudonym log lines use for a Telegram user (never the id)."""
        return self.services.conversations.conversation_id(CHANNEL, str(user_id))

    def routes(self) -> list[BaseRoute]:
        """POST /telegram/webhook, in webhook mode only."""
        if not self.config.webhook_url:
            return []
        return [Route("/telegram/webhook", self.webhook, methods=["POST"])]

    # --- wiring -------------------------------------------------------------

    def _wire(self) -> None:
        app = self.application
        private = filters.ChatType.PRIVATE
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.edited), group=-1)
        app.add_handler(CommandHandler("start", self.start_command, filters=private))
        app.add_handler(CommandHandler(["help", "menu"], self.menu, filters=private))
        app.add_handler(CommandHandler("human", self.human, filters=private))
        app.add_handler(CommandHandler("forget", self.forget, filters=private))
        app.add_handler(CommandHandler("cancel", self.cancel, filters=private))
        app.add_handler(CommandHandler(["idioma", "language"], self.language, filters=private))
        app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.text))
        media = (
            filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
            | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
            | filters.CONTACT
        )  # fmt: skip
        app.add_handler(MessageHandler(private & media, self.not_text))
        app.add_handler(CallbackQueryHandler(self.tap))
        self.staff.wire(app)
        app.add_error_handler(self.on_error)

    async def start(self, services: Services) -> None:
        """Connect to Telegram, register commands, and start receiving updates."""
        self._services = services
        self.staff.attach(services.handoff)
        if services.shared is not None:
            self.payloads = SharedPayloads(services.shared.redis)
        app = self.application
        await app.initialize()
        await with_retries(lambda: app.bot.set_my_commands(COMMANDS))
        await with_retries(lambda: app.bot.set_my_commands(commands("es"), language_code="es"))
        if self.config.webhook_url:
            await with_retries(
                lambda: app.bot.set_webhook(
                    url=self.config.webhook_url,
                    secret_token=self.webhook_secret,
                    allowed_updates=Update.ALL_TYPES,
                )
            )
        else:
            assert app.updater is not None
            await with_retries(lambda: app.bot.delete_webhook())
            await self.poll(services.shared.redis if services.shared else None)
        await app.start()
        outbox = self.services.outbox
        if self.config.staff_chat_id is not None:
            outbox.staff.append(self.staff.deliver)
            outbox.on_staff_ref = self.staff.remember_card
        mode = "webhook" if self.config.webhook_url else "polling"
        logger.info("telegram.started mode=%s staff_group=%s", mode, self.staff.enabled)

    async def poll(self, redis: Redis | None) -> None:
        """Long polling: at once with one gateway; with several, while this one holds the lease."""
        if redis is None:
            await self._start_polling()
            return
        lease = Lease(redis, "telegram-polling", LEASE_TTL)
        self._polling_lease = LeaseKeeper(
            lease, self._start_polling, self._stop_polling, LEASE_RENEW
        )
        await self._polling_lease.start()

    async def _start_polling(self) -> None:
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, poll_interval=0.2
        )

    async def _stop_polling(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()

    async def stop(self) -> None:
        if self._polling_lease is not None:
            await self._polling_lease.aclose()  # hand polling to another gateway now
            self._polling_lease = None
        app = self.application
        if app.updater is not None and app.updater.running:
            try:  # bounded: a long poll that won't end must not hold the shutdown
                await asyncio.wait_for(app.updater.stop(), STOP_WAIT)
            except TimeoutError:
                logger.warning("telegram.stop_slow")
        if app.running:
            await app.stop()
        await app.shutdown()

    async def webhook(self, request: Request) -> Response:
        """POST /telegram/webhook: an update from Telegram, checked by its secret header."""
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            logger.warning("telegram.webhook_refused")
            return JSONResponse({"error": "Forbidden."}, status_code=403)
        try:
            data = inputs.parse_json_object(await inputs.read_body(request, WEBHOOK_MAX_BYTES))
            update = Update.de_json(data, self.application.bot)
        except PeerPathBadRequest as exc:
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        except Exception:  # PTB can't read it: whatever it raised, it's not an update
            logger.warning("telegram.webhook_unreadable")
            return JSONResponse({"error": "Not a Telegram update."}, status_code=400)
        if update is None or not update.update_id:
            return JSONResponse({"error": "Not a Telegram update."}, status_code=400)
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    # --- people ----------------------------------------------------------------

    async def start_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: a welcome, and who's asking."""
        await self.converse(update, GREET)

    async def menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help and /menu: what PeerPath can do."""
        await self.converse(update, HELP)

    async def human(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/human: ask for a peer supporter."""
        await self.converse(update, REQUEST_HUMAN)

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/idioma and /language: English or Spanish, as buttons."""
        await self.converse(update, LANGUAGE_QUESTION)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/cancel: leave a hand-off queue, or stop a guided flow."""
        user = update.effective_user
        assert user is not None
        active = await self.services.conversations.has_open_handoff(CHANNEL, str(user.id))
        await self.converse(update, Command.CANCEL_HANDOFF if active else STOP)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text in a private chat goes to PeerPath."""
        assert update.effective_message is not None
        await self.converse(update, update.effective_message.text or "")

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files: say kindly that only text works."""
        logger.info("telegram.not_text user=%s", self.user_tag(update.effective_user.id))  # type: ignore[union-attr]
        chat_id = update.effective_chat.id  # type: ignore[union-attr]
        await self.send(chat_id, [OutMessage(text=self._in_their_language(chat_id, TEXT_ONLY))])

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edited messages are not answered again (the first version already was)."""
        logger.info("telegram.edited_ignored")

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/forget: ask for confirmation before deleting this person's history."""
        chat = update.effective_chat
        assert chat is not None
        lang = self._language(chat.id)
        buttons = tuple(Button(tr(lang, b.title), b.payload) for b in FORGET_BUTTONS)
        message = OutMessage(text=tr(lang, FORGET_ASK), buttons=buttons)
        await self.send(chat.id, [message], raw_buttons=True)

    async def tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button tap: answer the callback, then act on its payload."""
        query = update.callback_query
        assert query is not None
        data = query.data or ""
        if self.staff.handles(update):
            await self.staff.tap(update)
            return
        if update.effective_chat is None or update.effective_chat.type != "private":
            await query.answer()
            return
        if data.startswith("forget:"):
            await query.answer()
            await self._forget_answer(update, data == "forget:yes")
            return
        payload = await self.payloads.find(data)
        if payload is None:
            chat_id = update.effective_chat.id
            await query.answer(self._in_their_language(chat_id, BUTTON_EXPIRED))
            return
        await query.answer()
        await self.converse(update, payload)

    async def _forget_answer(self, update: Update, confirmed: bool) -> None:
        user, chat = update.effective_user, update.effective_chat
        assert user is not None and chat is not None
        lang = self._language(chat.id)  # read before forgetting forgets it too
        if not confirmed:
            await self.send(chat.id, [OutMessage(text=tr(lang, NOTHING_DELETED))])
            return
        deleted = await self.services.conversations.forget(CHANNEL, str(user.id))
        text = tr(lang, DELETED, events=deleted["assistant_events"],
                  tickets=deleted["tickets"], messages=deleted["messages"])  # fmt: skip
        await self.send(chat.id, [OutMessage(text=text)])

    def _language(self, chat_id: int) -> str:
        """The language of the person's conversation (a private chat's id is theirs)."""
        conversations = self.services.conversations
        return conversations.languages.current(conversations.conversation_id(CHANNEL, str(chat_id)))

    def _in_their_language(self, chat_id: int, text: str) -> str:
        return tr(self._language(chat_id), text)

    async def converse(self, update: Update, text: str) -> None:
        """Send one message through PeerPath and reply, with a typing indicator meanwhile."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        typing = asyncio.create_task(self._keep_typing(chat.id))
        try:
            # an update handed again (its poller died before confirming it) is answered
            # with the reply already given, not a second turn
            reply = await self.services.conversations.handle(
                CHANNEL, str(user.id), text, address=str(chat.id),
                message_id=f"tg-{update.update_id}",
            )  # fmt: skip
        except PeerPathBadRequest as exc:
            await self._refused(chat.id, exc)
            return
        finally:
            typing.cancel()
        await self._send_reply(chat.id, reply)

    async def _refused(self, chat_id: int, exc: PeerPathBadRequest) -> None:
        """The same input rules as every channel, said in the chat: too long, too fast."""
        if exc.status_code == 429:
            # Say it once a minute, not to every message of a flood.
            if time.monotonic() - self._too_fast_told.get(chat_id, -1e9) > 60:
                self._too_fast_told[chat_id] = time.monotonic()
                notice = self._in_their_language(chat_id, TOO_FAST)
                await self.send(chat_id, [OutMessage(text=notice, kind=MessageKind.NOTICE)])
        elif exc.status_code == 413:
            await self.send(chat_id, [OutMessage(text=exc.detail, kind=MessageKind.NOTICE)])

    async def _send_reply(self, chat_id: int, reply: Reply) -> None:
        if reply.status != "ok":
            # Tell a person once that PeerPath is having trouble, not on every message.
            last = self._last_trouble.get(chat_id, -1e9)
            if time.monotonic() - last < TROUBLE_NOTICE_SECONDS:
                return
            self._last_trouble[chat_id] = time.monotonic()
        else:
            self._last_trouble.pop(chat_id, None)
        try:
            await self.send(chat_id, list(reply.messages))
        except TelegramError:
            if any(m.kind == MessageKind.CRISIS for m in reply.messages):
                self.services.metrics.crisis_reply_errors.inc()
            raise

    async def _keep_typing(self, chat_id: int) -> None:
        try:
            while True:
                await self.application.bot.send_chat_action(chat_id, ChatAction.TYPING)
                await asyncio.sleep(4)
        except (TelegramError, asyncio.CancelledError):
            return

    async def send(
        self, chat_id: int | str, messages: list[OutMessage], raw_buttons: bool = False
    ) -> list[int]:
        """Send messages (split, escaped, with keyboards); returns their message ids."""
        sent = []
        for message in messages:
            pieces = render(message, self.payloads, raw_buttons=raw_buttons)
            await self.payloads.save()  # before anyone can tap, on any gateway
            for text, markup in pieces:
                send = functools.partial(
                    self.application.bot.send_message, chat_id, text,
                    parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True,
                )  # fmt: skip
                result = await with_retries(send)
                sent.append(result.message_id)
        return sent

    async def deliver(self, ticket: Ticket, messages: list[dict[str, Any]]) -> None:
        """The outbox's deliverer for people on Telegram (peer replies, hand-off news)."""
        out = [as_message(m) for m in messages]
        try:
            await self.send(int(ticket.address), out)
        except RetryAfter as exc:
            raise ChannelError("telegram flood control", retry_after=seconds(exc)) from exc
        except TelegramError as exc:
            raise ChannelError("telegram delivery failed") from exc

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Anything a handler didn't catch: log its type only; tell the person calmly."""
        logger.warning("telegram.handler_error error=%s", type(context.error).__name__)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None and chat.type == "private":
            with contextlib.suppress(TelegramError):
                text = self._in_their_language(chat.id, SOMETHING_WRONG)
                await self.send(chat.id, [OutMessage(text=text)])


def as_message(data: dict[str, Any]) -> OutMessage:
    buttons = tuple(Button(**b) for b in data.get("buttons", []))
    return OutMessage(text=data.get("text", ""), buttons=buttons, kind=data.get("kind", ""))


def seconds(exc: RetryAfter) -> float:
    wait = exc.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
