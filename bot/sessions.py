"""Web sessions the gateway issues itself: a client can't choose or take over one, and
every one of them ends.

A session token is a random id, the time it was issued and an HMAC of both under
the install's session secret: `<id>.<issued>.<signature>`. The widget keeps it in
the tab (sessionStorage; localStorage only when the site turns on "remember on this
device") and sends it as `Authorization: Bearer <token>` (or in the WebSocket
hello); the id is what the person is known by on the web channel (hashed again,
like every id, before Rasa or a log line sees it). Without the secret, a token
can't be made.

A session ends when it goes unused for SESSION_IDLE_MINUTES, or when it is revoked
(/api/forget, "End chat", "Start over"). The token itself can only say how old it
is; when it was last used and whether it was revoked are kept in `SessionRecords`:
this process's memory (`MemoryRecords`), or Redis when several gateways share the
work (bot/shared/sessions.py). Both forget a record after the idle expiry: by then
every token of that session has expired anyway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from peerpath.settings import Secret

_TOKEN = re.compile(r"^([A-Za-z0-9_-]{24})\.([0-9]{1,12})\.([A-Za-z0-9_-]{32})$")
ENDED = (
    "This chat session has ended: it went unused for a while, or it was ended on "
    "purpose. Start a new one with POST /api/session."
)
# Gateways' clocks may disagree a little: a token "issued" this far ahead still counts.
CLOCK_SKEW = 60.0

Clock = Callable[[], float]


class SessionRecords(Protocol):
    """What the gateway remembers of each session: its last use, and whether it was revoked."""

    def ended_here(self, session: str, fresh: bool) -> bool:
        """Whether this process knows the session has ended (no waiting on anything)."""
        ...

    async def use(self, session: str, fresh: bool) -> bool:
        """Count a use of a live session and return True; False if it has ended.

        `fresh`: the token was issued less than the idle expiry ago, so the session is
        live unless it was revoked, even with no use on record.
        """
        ...

    async def revoke(self, session: str) -> None:
        """End the session now: no token of it works again."""
        ...


class MemoryRecords:
    """Session records in this process's memory, each kept `ttl` seconds after it was written."""

    def __init__(self, ttl: float, clock: Clock = time.time) -> None:
        self.ttl = ttl
        self._clock = clock
        # session -> when the record lapses; oldest first, since every record lives `ttl`
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._revoked: OrderedDict[str, float] = OrderedDict()

    def _prune(self, records: OrderedDict[str, float]) -> None:
        now = self._clock()
        while records and next(iter(records.values())) <= now:
            records.popitem(last=False)

    def _has(self, records: OrderedDict[str, float], session: str) -> bool:
        self._prune(records)
        return session in records

    def _put(self, records: OrderedDict[str, float], session: str) -> None:
        records[session] = self._clock() + self.ttl
        records.move_to_end(session)
        self._prune(records)

    def revoked(self, session: str) -> bool:
        return self._has(self._revoked, session)

    def touch(self, session: str) -> None:
        """Record a use of `session` now."""
        self._put(self._seen, session)

    def mark_revoked(self, session: str) -> None:
        self._put(self._revoked, session)
        self._seen.pop(session, None)

    def ended_here(self, session: str, fresh: bool) -> bool:
        return self.revoked(session) or not (fresh or self._has(self._seen, session))

    async def use(self, session: str, fresh: bool) -> bool:
        if self.ended_here(session, fresh):
            return False
        self.touch(session)
        return True

    async def revoke(self, session: str) -> None:
        self.mark_revoked(session)


class WebSessions:
    """Issues web session tokens, checks them, and ends sessions."""

    def __init__(
        self,
        secret: Secret,
        idle_minutes: int = 60,
        records: SessionRecords | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._key = hashlib.sha256(b"peerpath-web-session\0" + secret.reveal().encode()).digest()
        self.idle_seconds = idle_minutes * 60.0
        self._clock = clock
        self.records: SessionRecords = records or MemoryRecords(self.idle_seconds, clock)

    def _sign(self, body: str) -> str:
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode()[:32]

    def issue(self) -> str:
        """A new token for a new session."""
        session = secrets.token_urlsafe(18)  # 24 characters, 144 random bits
        body = f"{session}.{int(self._clock())}"
        return f"{body}.{self._sign(body)}"

    def read(self, token: object) -> tuple[str, bool] | None:
        """(session id, fresh) from a genuine token, whatever its age; None for anything else.

        Fresh: issued less than the idle expiry ago.
        """
        match = _TOKEN.match(token) if isinstance(token, str) else None
        if match is None:
            return None
        session, issued, signature = match.groups()
        if not hmac.compare_digest(signature, self._sign(f"{session}.{issued}")):
            return None
        age = self._clock() - int(issued)
        return session, -CLOCK_SKEW <= age <= self.idle_seconds

    def verify(self, token: object) -> str | None:
        """The session id in a genuine token this process doesn't know to have ended.

        Asks nothing but memory; requests use `check`, which also asks the shared records.
        """
        genuine = self.read(token)
        if genuine is None or self.records.ended_here(*genuine):
            return None
        return genuine[0]

    async def check(self, token: object) -> str | None:
        """The session id in a genuine token of a live session, counting this as a use of it.

        None for a forged token, or a session that was idle too long or revoked.
        """
        genuine = self.read(token)
        if genuine is None:
            return None
        session, fresh = genuine
        return session if await self.records.use(session, fresh) else None

    async def end(self, session: str) -> None:
        """Revoke `session`: every token of it is refused from now on."""
        await self.records.revoke(session)
