"""Pseudonymous conversation ids: what Rasa, the logs and the hand-off queue see.

A person is known to PeerPath only by channel and an opaque key (a Telegram
chat id, a random web session id). Everything downstream uses a keyed hash
of those, so a log line or a tracker row can't be traced back to an account
without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from peerpath.settings import Secret

CHANNEL_PREFIXES = {"web": "w", "telegram": "t", "api": "a", "test": "x"}


def conversation_id(secret: Secret, channel: str, user_key: str) -> str:
    """A stable pseudonymous id for one person on one channel."""
    digest = hmac.new(
        secret.reveal().encode(), f"{channel}\x00{user_key}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{CHANNEL_PREFIXES.get(channel, 'o')}{digest[:23]}"


def load_or_create_secret(path: Path) -> Secret:
    """The install's session secret: read from `path`, created there on first use."""
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return Secret(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return Secret(value)
