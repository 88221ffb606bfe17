"""Logging set-up for PeerPath's entry points (only they call `configure`).

Log lines carry event kinds, pseudonymous ids, timings and scores; never
message text, names or slots. Libraries that log URLs (httpx: the Telegram
bot token is part of its URLs) or request lines are kept at WARNING.

LOG_FORMAT=json writes one JSON object per line (time, level, logger,
message, and the traceback as `exc`), for a log collector; the same filter
redacts secrets from either format.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

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
    "alembic",
)


class Redact(logging.Filter):
    """Replaces known secrets in any log record (a second line of defence)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        if record.exc_info and not record.exc_text:
            # formatted here, so that a secret in the exception's text is redacted too
            record.exc_text = logging.Formatter().formatException(record.exc_info)
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


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exc."""

    def format(self, record: logging.LogRecord) -> str:
        created = datetime.fromtimestamp(record.created, timezone.utc)
        line: dict[str, Any] = {
            "time": created.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def formatter(log_format: str = "text") -> logging.Formatter:
    """The formatter for LOG_FORMAT (`text` or `json`)."""
    if log_format == "json":
        return JsonFormatter()
    return logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")


def child_json_line(process: str, line: str) -> str:
    """A child process's output line as the supervisor writes it under LOG_FORMAT=json:
    one JSON object carrying the child's name (a JSON line keeps its fields)."""
    try:
        parsed = json.loads(line)
    except ValueError:
        parsed = None
    body = parsed if isinstance(parsed, dict) else {"message": line}
    return json.dumps({"process": process, **body}, ensure_ascii=False)


def configure(
    level: str = "INFO",
    secrets: list[str] | None = None,
    stream: TextIO | None = None,
    log_format: str = "text",
) -> None:
    """Send PeerPath's log records to stderr at `level`, libraries quieter.

    `secrets` (tokens) are redacted from any record that would carry them.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(Redact(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # as JSON, a library's warning is one record too, not lines of text beside them
    logging.captureWarnings(log_format == "json")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
