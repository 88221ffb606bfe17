"""Logging set-up for PeerPath's entry points (only they call `configure`).

Log lines carry event kinds, pseudonymous ids, timings and scores; never
message text, names or slots. Libraries that log URLs (httpx: the Telegram
bot token is part of its URLs) or request lines are kept at WARNING.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "uvicorn.access",
    "telegram",
    "telegram.ext",
    "apscheduler",
    "sentence_transformers",
    "transformers",
    "urllib3",
    "filelock",
    "sanic.access",
    "multipart",
    "faiss",
    "faiss.loader",
    "bm25s",
)


class Redact(logging.Filter):
    """Replaces known secrets in any log record (a second line of defence)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        text = message + (record.exc_text or "")
        if any(secret in text for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "<redacted>")
            record.msg, record.args = message, None
            if record.exc_text:
                for secret in self._secrets:
                    record.exc_text = record.exc_text.replace(secret, "<redacted>")
        return True


def configure(
    level: str = "INFO", secrets: list[str] | None = None, stream: TextIO | None = None
) -> None:
    """Send PeerPath's log records to stderr at `level`, libraries quieter.

    `secrets` (tokens) are redacted from any record that would carry them.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(Redact(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
