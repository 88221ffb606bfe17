"""One place every channel sends a person's message through.

It turns the person's channel identity into a pseudonymous conversation id,
forwards the text to Rasa and returns a normalised reply. Rasa being down or
slow becomes a calm message here, whichever channel asked.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.errors import RasaUnavailable
from bot.ids import conversation_id
from bot.messages import normalize, unavailable
from bot.rasa_client import RasaClient
from bot.settings import Secret
from bot.types import Reply

logger = logging.getLogger(__name__)


class Conversations:
    """Routes a person's message to Rasa and shapes what comes back."""

    def __init__(self, rasa: RasaClient, secret: Secret) -> None:
        self._rasa = rasa
        self._secret = secret

    def conversation_id(self, channel: str, user_key: str) -> str:
        """The pseudonymous id Rasa and the logs know this person by."""
        return conversation_id(self._secret, channel, user_key)

    async def handle(
        self, channel: str, user_key: str, text: str, metadata: dict[str, Any] | None = None
    ) -> Reply:
        """Answer one message from a person on `channel`."""
        conv = self.conversation_id(channel, user_key)
        started = time.perf_counter()
        try:
            raw = await self._rasa.send(conv, text, channel, metadata)
        except RasaUnavailable as exc:
            logger.warning("chat.rasa_unavailable conv=%s error=%s", conv, exc)
            return Reply(unavailable(), status="unavailable")
        messages = normalize(raw)
        if not messages and not await self._rasa.action_server_healthy():
            logger.warning("chat.action_server_down conv=%s", conv)
            return Reply(unavailable(), status="degraded")
        logger.info(
            "chat.reply conv=%s channel=%s messages=%d ms=%.0f",
            conv,
            channel,
            len(messages),
            (time.perf_counter() - started) * 1000,
        )
        return Reply(messages)
