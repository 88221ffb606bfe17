"""Reading and checking what callers send to the gateway's HTTP API."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from peerpath.errors import BadRequest

MAX_BODY_BYTES = 64 * 1024
SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a BadRequest saying what is wrong."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"The request body is larger than {MAX_BODY_BYTES} bytes.", 413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(
            'The request body must be JSON, like {"session_id": "abc123", "text": "hello"}.'
        ) from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


def session_id(data: dict[str, Any]) -> str:
    """A caller's session id: 1-128 letters, digits or `_.:-`."""
    value = data.get("session_id")
    if value is None or value == "":
        raise BadRequest("session_id is required.")
    if not isinstance(value, str) or not SESSION_ID.match(value):
        raise BadRequest("session_id must be 1-128 letters, digits or the characters _ . : -")
    return value


def message_text(data: dict[str, Any], max_chars: int) -> str:
    """A person's message: a non-empty string of at most `max_chars` characters."""
    value = data.get("text")
    if value is None:
        raise BadRequest("text is required.")
    if not isinstance(value, str):
        raise BadRequest("text must be a string.")
    value = value.strip()
    if not value:
        raise BadRequest("text is empty: please type a message.")
    if len(value) > max_chars:
        raise BadRequest(
            f"text is {len(value)} characters long; the limit is {max_chars}. "
            "Please send a shorter message.",
            413,
        )
    return value


def rate_limit(services: Any, channel: str, user_key: str) -> None:
    """Refuse (429) a person sending faster than RATE_LIMIT_PER_MINUTE."""
    key = f"{channel}:{user_key}"
    if not services.rate_limiter.allow(key):
        wait = max(1, round(services.rate_limiter.retry_after(key)))
        raise BadRequest(f"You're sending messages very fast. Please wait {wait} seconds.", 429)
