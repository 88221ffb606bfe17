"""The gateway's long-lived parts, built once at start-up and closed at shutdown."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import anyio
import httpx

from bot.conversation import Conversations
from bot.ids import load_or_create_secret
from bot.rasa_client import RasaClient
from bot.resources import Directory
from bot.search.index import KnowledgeIndex
from bot.search.service import open_index
from bot.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """What request handlers and channels share."""

    settings: Settings
    rasa: RasaClient
    conversations: Conversations
    index: KnowledgeIndex
    directory: Directory

    @classmethod
    async def start(
        cls,
        settings: Settings,
        rasa_transport: httpx.AsyncBaseTransport | None = None,
        index: KnowledgeIndex | None = None,
    ) -> Services:
        """Build every service from `settings` (an `index` may be handed in by tests)."""
        if index is None:
            index = await anyio.to_thread.run_sync(open_index, settings.search)
        directory = Directory.load(settings.search.resources_file)
        secret = settings.session_secret or load_or_create_secret(settings.var_dir / "session.key")
        rasa = RasaClient(
            settings.rasa_url,
            settings.rasa_token,
            settings.rasa_timeout,
            action_server_url=settings.action_server_url,
            transport=rasa_transport,
        )
        return cls(
            settings=settings,
            rasa=rasa,
            conversations=Conversations(rasa, secret),
            index=index,
            directory=directory,
        )

    async def aclose(self) -> None:
        await self.rasa.aclose()
