"""Who counts as staff: token holders (HTTP API, web console) and members of
the configured Telegram staff chat (checked by the Telegram channel).

Tokens come from accounts in the database (`python -m bot staff add`; only a
hash is kept) and, for a first start, from STAFF_TOKENS (or var/staff-token):
an environment token is a lead's, so the team's first lead can add the rest."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio

from bot.handoff.desk import Account
from peerpath.settings import HandoffConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    role: str = "peer"  # peer | lead

    @property
    def lead(self) -> bool:
        return self.role == "lead"


class StaffTokens:
    """Tokens -> staff names; compared in constant time, never logged."""

    def __init__(
        self, tokens: dict[str, str], accounts: Callable[[str], Account | None] | None = None
    ) -> None:
        self._tokens = tokens  # token -> name
        self._accounts = accounts  # the database's accounts, looked up by token

    @classmethod
    def from_config(
        cls,
        config: HandoffConfig,
        var_dir: Path,
        accounts: Callable[[str], Account | None] | None = None,
    ) -> StaffTokens:
        tokens = {staff.token.reveal(): staff.name for staff in config.staff_tokens}
        if not tokens:
            tokens = {cls._default_token(var_dir / "staff-token"): "staff"}
        return cls(tokens, accounts)

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
        """The holder of an environment token (a lead), or None."""
        if not token:
            return None
        for known, name in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return Staff(id=f"console:{name}", name=name, role="lead")
        return None

    async def find(self, token: str | None) -> Staff | None:
        """Who a token belongs to: an environment token, else an active account."""
        staff = self.who(token)
        if staff is not None or not token or self._accounts is None:
            return staff
        account = await anyio.to_thread.run_sync(self._accounts, token)
        if account is None:
            return None
        return Staff(id=f"console:{account.name}", name=account.name, role=account.role)
