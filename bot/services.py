"""The gateway's long-lived parts, built once at start-up and closed at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from bot import retention
from bot.conversations import Conversations
from bot.events import EventBus
from bot.handoff.outbox import Outbox
from bot.handoff.service import HandoffService
from bot.handoff.staff import StaffTokens
from bot.handoff.store import HandoffStore
from bot.language import Languages
from bot.metrics import Metrics
from bot.rasa.client import RasaServer
from bot.rasa.router import rasa_for
from bot.ratelimit import Limits, RateLimiter
from bot.replays import MemoryReplays, RedisReplays
from bot.safety import SafetyNet
from bot.sessions import WebSessions
from bot.shared.state import SharedState
from peerpath.feedback import FeedbackStore
from peerpath.ids import load_or_create_secret
from peerpath.resources import Directory
from peerpath.search.index import KnowledgeIndex
from peerpath.search.service import open_index
from peerpath.settings import Settings

logger = logging.getLogger(__name__)
WAIT_CHECK_SECONDS = 30.0


@dataclass
class Services:
    """What request handlers and channels share."""

    settings: Settings
    rasa: RasaServer
    conversations: Conversations
    index: KnowledgeIndex
    directory: Directory
    handoff: HandoffService
    outbox: Outbox
    bus: EventBus
    staff_tokens: StaffTokens
    limits: Limits
    sessions: WebSessions
    # With REDIS_URL: what this gateway shares with the others (limits and bus use it).
    shared: SharedState | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _feedback: FeedbackStore | None = field(default=None, repr=False)

    def feedback(self) -> FeedbackStore:
        """The feedback and gap counts the action server writes, opened on first use (a
        lead's report), so the gateway never migrates them at start-up beside it."""
        if self._feedback is None:
            self._feedback = FeedbackStore(
                self.settings.feedback_db_url.reveal(), auto_migrate=self.settings.auto_migrate
            )
        return self._feedback

    @classmethod
    async def start(
        cls,
        settings: Settings,
        rasa_transport: httpx.AsyncBaseTransport | None = None,
        index: KnowledgeIndex | None = None,
        safety: SafetyNet | None = None,
    ) -> Services:
        """Build every service from `settings` (an index or safety net may be handed in)."""
        if index is None:
            index = await anyio.to_thread.run_sync(open_index, settings.search)
        if safety is None:
            safety = await anyio.to_thread.run_sync(SafetyNet.open, settings.safety_model_dir)
        directory = Directory.load(settings.search.resources_file)
        secret = settings.session_secret or load_or_create_secret(settings.var_dir / "session.key")
        rasa = rasa_for(settings, rasa_transport)
        shared = await SharedState.open(settings.redis_url) if settings.redis_url else None
        bus = shared.bus if shared else EventBus()
        store = HandoffStore(settings.handoff.db_url.reveal(), auto_migrate=settings.auto_migrate)
        outbox = Outbox(store)
        handoff = HandoffService(store, outbox, rasa, settings.handoff, bus, Metrics())
        limits = shared.limits(settings) if shared else Limits(
            person=RateLimiter(settings.rate_limit_per_minute),
            address=RateLimiter(settings.rate_limit_per_address),
            new_sessions=RateLimiter(settings.sessions_per_address),
        )  # fmt: skip
        languages = Languages()
        await anyio.to_thread.run_sync(languages.warm)  # its models, once, before the first message
        conversations = Conversations(
            rasa, secret, handoff, safety, limits.person, settings.max_message_chars,
            address_limiter=limits.address,
            tracker_db=settings.rasa_tracker_db, embedder=index.embedder,
            tracker_url=settings.rasa_tracker_url or None, languages=languages,
            replays=RedisReplays(shared.redis) if shared else MemoryReplays(),
        )  # fmt: skip
        return cls(
            settings=settings,
            rasa=rasa,
            conversations=conversations,
            index=index,
            directory=directory,
            handoff=handoff,
            outbox=outbox,
            bus=bus,
            staff_tokens=StaffTokens.from_config(
                settings.handoff, settings.var_dir, handoff.desk.account_for
            ),
            limits=limits,
            sessions=WebSessions(
                secret,
                settings.session_idle_minutes,
                shared.session_records(settings) if shared else None,
            ),
            shared=shared,
        )

    @property
    def metrics(self) -> Metrics:
        """The gateway's metrics: the ones its hand-off service and conversations count into."""
        return self.handoff.metrics

    def start_background(self) -> None:
        """The outbox worker, the hand-off wait checker and the daily retention sweep."""
        self.tasks.append(asyncio.create_task(self.outbox.run(), name="outbox"))
        self.tasks.append(asyncio.create_task(self._check_waits(), name="handoff-waits"))
        if self.settings.retention_days > 0:
            sweeping = retention.daily(self.settings, self.handoff.store)
            self.tasks.append(asyncio.create_task(sweeping, name="retention"))

    async def _check_waits(self) -> None:
        while True:
            try:
                await self.handoff.check_waits()
            except Exception:
                logger.exception("handoff.wait_check_error")
            await asyncio.sleep(WAIT_CHECK_SECONDS)

    async def aclose(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.conversations.aclose()
        await self.rasa.aclose()
        self.handoff.store.close()
        if self._feedback is not None:
            self._feedback.close()
        if self.shared is not None:
            await self.shared.aclose()
