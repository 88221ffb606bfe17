"""Reading and checking what callers send to the gateway over HTTP.

Every rule here refuses with a clear 4xx (a BadRequest): the body's size is
checked before it is read, only JSON objects are accepted, a web session is a
token the gateway issued, state-changing requests from other sites are
refused, and each client address has a rate limit besides each person's.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from starlette.requests import HTTPConnection, Request

from bot.ratelimit import Limiter
from bot.replays import MESSAGE_ID
from peerpath.errors import BadRequest

MAX_BODY_BYTES = 64 * 1024
NO_SESSION = (
    "This needs a session: get one with POST /api/session and send it as "
    "'Authorization: Bearer <session>'."
)


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused (413) as soon as it is known to be larger than `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadRequest(f"The request body is larger than {limit} bytes.", 413)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise BadRequest(f"The request body is larger than {limit} bytes.", 413)
    return bytes(received)


def parse_json_object(raw: bytes | str) -> dict[str, Any]:
    """A JSON object, or a BadRequest saying what is wrong (never an exception of json's)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest('The request body must be JSON, like {"text": "hello"}.') from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


async def read_json_object(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The body as a JSON object; only `application/json` is accepted (415 otherwise).

    Browsers send text/plain and form bodies cross-site without asking first;
    requiring JSON means another site's page can't post here unseen.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise BadRequest("Send the body as JSON, with 'Content-Type: application/json'.", 415)
    return parse_json_object(await read_body(request, limit))


def message_id(data: dict[str, Any]) -> str | None:
    """The optional "message_id" a client sends to have a retried message answered once."""
    value = data.get("message_id")
    if value is None:
        return None
    if not isinstance(value, str) or not MESSAGE_ID.fullmatch(value):
        raise BadRequest(
            "message_id must be 1 to 80 letters, digits or . _ : - (the same for a retry)."
        )
    return value


def bearer(connection: HTTPConnection) -> str:
    header = connection.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def same_site_or_allowed(request: Request, allowed_origins: tuple[str, ...]) -> None:
    """Refuse (403) a state-changing request another site's page made."""
    origin = request.headers.get("origin")
    if origin is not None:
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin.rstrip("/") not in (own, *allowed_origins) and "*" not in allowed_origins:
            raise BadRequest("Requests from this site are not allowed.", 403)
    elif request.headers.get("sec-fetch-site") == "cross-site":
        raise BadRequest("Requests from this site are not allowed.", 403)


def client_address(connection: HTTPConnection, trusted_proxies: tuple[str, ...]) -> str:
    """The caller's address; X-Forwarded-For is believed only from a trusted proxy."""
    peer = connection.client.host if connection.client else "unknown"
    if not trusted_proxies or not _trusted(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in connection.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, trusted_proxies):
            return hop
    return peer


def _trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in trusted)


async def rate_limit(limiter: Limiter, key: str, what: str = "requests") -> None:
    """Refuse (429, with Retry-After) a key over its limit."""
    wait = await limiter.hit(key)
    if wait > 0:
        seconds = max(1, round(wait))
        raise BadRequest(
            f"You're sending {what} very fast. Please wait {seconds} seconds.", 429, seconds
        )
