"""Web sessions the gateway issues itself: a client can't choose or take over one.

A session token is a random id and an HMAC of it under the install's session
secret: `<id>.<signature>`. The widget keeps it in localStorage and sends it
as `Authorization: Bearer <token>` (or in the WebSocket hello); the id is
what the person is known by on the web channel (hashed again, like every id,
before Rasa or a log line sees it). Without the secret, a token can't be made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from peerpath.settings import Secret

_TOKEN = re.compile(r"^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{32})$")


class WebSessions:
    """Issues and checks web session tokens."""

    def __init__(self, secret: Secret) -> None:
        self._key = hashlib.sha256(b"peerpath-web-session\0" + secret.reveal().encode()).digest()

    def _sign(self, session: str) -> str:
        mac = hmac.new(self._key, session.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode()[:32]

    def issue(self) -> str:
        """A new token for a new session."""
        session = secrets.token_urlsafe(18)  # 24 characters, 144 random bits
        return f"{session}.{self._sign(session)}"

    def verify(self, token: object) -> str | None:
        """The session id in a genuine token; None for anything else."""
        match = _TOKEN.match(token) if isinstance(token, str) else None
        if match is None:
            return None
        session, signature = match.groups()
        return session if hmac.compare_digest(signature, self._sign(session)) else None
