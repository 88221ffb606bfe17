"""The gateway's long-lived parts, built once at start-up and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot.conversation import Conversations
from bot.ids import load_or_create_secret
from bot.rasa_client import RasaClient
from bot.settings import Settings


@dataclass
class Services:
    """What request handlers and channels share."""

    settings: Settings
    rasa: RasaClient
    conversations: Conversations

    @classmethod
    async def start(
        cls, settings: Settings, rasa_transport: httpx.AsyncBaseTransport | None = None
    ) -> Services:
        """Build every service from `settings`."""
        secret = settings.session_secret or load_or_create_secret(settings.var_dir / "session.key")
        rasa = RasaClient(
            settings.rasa_url,
            settings.rasa_token,
            settings.rasa_timeout,
            action_server_url=settings.action_server_url,
            transport=rasa_transport,
        )
        return cls(settings=settings, rasa=rasa, conversations=Conversations(rasa, secret))

    async def aclose(self) -> None:
        await self.rasa.aclose()
