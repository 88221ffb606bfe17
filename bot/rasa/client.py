"""The gateway's one client of the Rasa server: its REST channel and HTTP API.

When Rasa itself fails (down, refusing, answering with an error), or messages
of several conversations run out of time, the client remembers it for a few
seconds and fails at once in that time, so people get the calm message, a
crisis reply or a hand-off without waiting for another timeout; the next call
after that tries Rasa again. One conversation's slow turn is that
conversation's business (failures.py): it gets RasaBusy, the others carry on.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import anyio
import httpx

from bot.rasa.failures import FailureSwitch
from peerpath.errors import RasaBusy, RasaUnavailable
from peerpath.protocol import MessageMeta
from peerpath.settings import Secret

logger = logging.getLogger(__name__)

EVENTS_TIMEOUT = 2.0  # pause/resume events are bookkeeping: never wait long on them


class RasaServer(Protocol):
    """What the gateway asks of Rasa: one RasaClient, or a RasaRouter over replicas."""

    @property
    def looks_down(self) -> bool: ...

    async def send(
        self, sender_id: str, text: str, meta: MessageMeta, timeout: float | None = None
    ) -> list[dict[str, Any]]: ...

    async def append_events(self, sender_id: str, events: list[dict[str, Any]]) -> None: ...

    async def tracker_events(self, sender_id: str) -> list[dict[str, Any]]: ...

    async def rasa_healthy(self) -> bool: ...

    async def action_server_healthy(self, sender_id: str | None = None) -> bool: ...

    async def aclose(self) -> None: ...


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
        self.base_url = base_url
        self._token = token
        self._timeout = timeout
        self._action_server_url = action_server_url
        self.failures = FailureSwitch()
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            transport=transport,
        )

    @property
    def looks_down(self) -> bool:
        """Whether Rasa failed moments ago (calls fail at once for a few seconds)."""
        return self.failures.tripped

    def _failed(self, why: str) -> RasaUnavailable:
        self.failures.server_failed()
        return RasaUnavailable(why)

    def _timed_out(self, sender_id: str, what: str) -> RasaBusy | RasaUnavailable:
        """The error for a full timeout: this conversation's, or Rasa's if several ran out."""
        if self.failures.timed_out(sender_id):
            return RasaUnavailable("Rasa did not answer in time, in several conversations")
        return RasaBusy(f"Rasa {what} in time")

    def _auth(self) -> dict[str, str]:
        return {"token": self._token.reveal()} if self._token else {}

    async def send(
        self,
        sender_id: str,
        text: str,
        meta: MessageMeta,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Send one message to the REST channel and return Rasa's raw replies.

        `timeout` is a deliberately short wait (the caller has a way on without
        Rasa): running out of it is no sign of trouble and is not counted.
        """
        if self.looks_down:
            raise RasaUnavailable("Rasa failed moments ago")
        body = {
            "sender": sender_id,
            "message": text,
            "input_channel": meta.channel,
            "metadata": meta.to_metadata(),
        }
        try:
            # A deadline for the whole exchange (httpx's timeouts are per read/write).
            with anyio.fail_after(timeout or self._timeout):
                response = await self._http.post("/webhooks/rest/webhook", json=body)
        except (httpx.TimeoutException, TimeoutError) as exc:
            if timeout is not None:
                self.failures.waited_out(sender_id)
                raise RasaBusy("a short wait ran out") from exc
            raise self._timed_out(sender_id, "did not answer this conversation") from exc
        except httpx.TransportError as exc:
            raise self._failed(f"Rasa unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise self._failed(f"Rasa answered HTTP {response.status_code}")
        self.failures.succeeded(sender_id)
        try:
            replies = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with something that is not JSON") from exc
        if not isinstance(replies, list):
            raise RasaUnavailable("Rasa answered with an unexpected shape")
        return replies

    async def append_events(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        """Append events (e.g. pause/resume) to a conversation's tracker."""
        if self.looks_down:
            raise RasaUnavailable("Rasa failed moments ago")
        if self.failures.slow(sender_id):
            raise RasaBusy("this conversation's turns ran out of time moments ago")
        try:
            with anyio.fail_after(EVENTS_TIMEOUT):
                response = await self._http.post(
                    f"/conversations/{sender_id}/tracker/events",
                    params={**self._auth(), "include_events": "NONE"},
                    json=events,
                )
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise self._timed_out(sender_id, "did not take this conversation's events") from exc
        except httpx.HTTPError as exc:
            raise self._failed(f"Rasa unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa refused tracker events: HTTP {response.status_code}")

    async def tracker_events(self, sender_id: str) -> list[dict[str, Any]]:
        """Every event of one conversation (for restoring a chat's history)."""
        if self.looks_down:
            raise RasaUnavailable("Rasa failed moments ago")
        try:
            response = await self._http.get(
                f"/conversations/{sender_id}/tracker",
                params={**self._auth(), "include_events": "ALL"},
            )
        except httpx.HTTPError as exc:
            raise self._failed(f"Rasa unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa refused the tracker: HTTP {response.status_code}")
        try:
            events = response.json().get("events") or []
        except (ValueError, AttributeError) as exc:
            raise RasaUnavailable("Rasa answered with an unexpected shape") from exc
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
        except (ValueError, AttributeError):
            return False

    async def action_server_healthy(self, sender_id: str | None = None) -> bool:
        """Whether the action server answers its health check (one server for every
        conversation, so `sender_id` changes nothing here; see router.py)."""
        if not self._action_server_url:
            return False
        try:
            response = await self._http.get(f"{self._action_server_url}/health", timeout=3.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def aclose(self) -> None:
        await self._http.aclose()
