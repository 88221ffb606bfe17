"""Logging set-up for PeerPath's entry points (only they call `configure`).

Log lines carry event kinds, pseudonymous ids, timings and scores; never
message text, names or slots. Libraries that log URLs (httpx: the Telegram
bot token is part of its URLs) or request lines are kept at WARNING.
"""

from __future__ import annotations

import logging
import sys

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


def configure(level: str = "INFO") -> None:
    """Send PeerPath's log records to stderr at `level`, libraries quieter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
