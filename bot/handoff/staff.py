"""Who counts as staff: token holders (HTTP API, web console) and members of
the configured Telegram staff chat (checked by the Telegram channel)."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from peerpath.settings import HandoffConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Staff:
    id: str
    name: str


class StaffTokens:
    """Tokens -> staff names; compared in constant time, never logged."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self._tokens = tokens  # token -> name

    @classmethod
    def from_config(cls, config: HandoffConfig, var_dir: Path) -> StaffTokens:
        tokens = {staff.token.reveal(): staff.name for staff in config.staff_tokens}
        if not tokens:
            tokens = {cls._default_token(var_dir / "staff-token"): "staff"}
        return cls(tokens)

    @staticmethod
    def _default_token(path: Path) -> str:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
        return token

    def who(self, token: str | None) -> Staff | None:
        if not token:
            return None
        for known, name in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return Staff(id=f"console:{name}", name=name)
        return None
