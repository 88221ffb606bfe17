"""The gateway's one client of the Rasa server: its REST channel and HTTP API."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from peerpath.errors import RasaUnavailable
from peerpath.settings import Secret

logger = logging.getLogger(__name__)


class RasaClient:
    """Talks to Rasa's REST channel (messages) and HTTP API (tracker events)."""

    def __init__(
        self,
        base_url: str,
        token: Secret,
        timeout: float,
        action_server_url: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        self._action_server_url = action_server_url
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=httpx.Timeout(timeout, connect=5.0), transport=transport
        )

    def _auth(self) -> dict[str, str]:
        return {"token": self._token.reveal()} if self._token else {}

    async def send(
        self, sender_id: str, text: str, channel: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one message to the REST channel and return Rasa's raw replies."""
        body = {
            "sender": sender_id,
            "message": text,
            "input_channel": channel,
            "metadata": {"channel": channel, **(metadata or {})},
        }
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=body)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable("Rasa did not answer in time") from exc
        except httpx.TransportError as exc:
            raise RasaUnavailable(f"Rasa unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            replies = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with something that is not JSON") from exc
        if not isinstance(replies, list):
            raise RasaUnavailable("Rasa answered with an unexpected shape")
        return replies

    async def append_events(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        """Append events (e.g. pause/resume) to a conversation's tracker."""
        try:
            response = await self._http.post(
                f"/conversations/{sender_id}/tracker/events",
                params={**self._auth(), "include_events": "NONE"},
                json=events,
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa refused tracker events: HTTP {response.status_code}")

    async def tracker_events(self, sender_id: str) -> list[dict[str, Any]]:
        """Every event of one conversation (for restoring a chat's history)."""
        try:
            response = await self._http.get(
                f"/conversations/{sender_id}/tracker",
                params={**self._auth(), "include_events": "ALL"},
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa refused the tracker: HTTP {response.status_code}")
        events = response.json().get("events") or []
        return [e for e in events if isinstance(e, dict)]

    async def rasa_healthy(self) -> bool:
        """Whether the Rasa server answers and has a model loaded."""
        try:
            response = await self._http.get("/status", params=self._auth(), timeout=3.0)
        except httpx.HTTPError:
            return False
        if response.status_code != 200:
            return False
        try:
            return bool(response.json().get("model_file"))
        except ValueError:
            return False

    async def action_server_healthy(self) -> bool:
        """Whether the action server answers its health check."""
        if not self._action_server_url:
            return False
        try:
            response = await self._http.get(f"{self._action_server_url}/health", timeout=3.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def aclose(self) -> None:
        await self._http.aclose()
