"""POST /api/lists and GET /api/lists/{id}: a counselor's list for a client (bot/lists.py)."""

from __future__ import annotations

import datetime as dt
import json
import re

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import lists
from bot.handoff.store import SharedList
from bot.http import inputs
from bot.services import Services
from peerpath.errors import BadRequest

LIST_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")
EXPIRED = "This list has expired. Ask the person who shared it for a new one."
NOT_FOUND = "There is no list at this link. Check that the whole link was copied."


def services(request: Request) -> Services:
    return request.app.state.services


async def live_list(svc: Services, list_id: str) -> SharedList:
    """The list behind a link: 404 when there is none, 410 once it expired."""
    found = None
    if LIST_ID.fullmatch(list_id):
        found = await anyio.to_thread.run_sync(svc.handoff.store.shared_list, list_id)
    if found is None:
        raise BadRequest(NOT_FOUND, 404)
    if found.expires_at <= dt.datetime.now(dt.UTC):
        raise BadRequest(EXPIRED, 410)
    return found


def body_of(svc: Services, shared: SharedList) -> dict[str, object]:
    items = lists.resolve(json.loads(shared.items), svc.index, svc.directory,
                          svc.settings.public_url)  # fmt: skip
    return {
        "id": shared.id,
        "note": shared.note,
        "expires_at": shared.expires_at.isoformat(),
        "items": [item.to_dict() for item in items],
        "url": f"{svc.settings.public_url}/lists/{shared.id}",
        "text_url": f"{svc.settings.public_url}/lists/{shared.id}.txt",
    }


async def create(request: Request) -> JSONResponse:
    """POST /api/lists {"items": [{"kind", "id"}], "note"?}: a list's link, kept
    SHARED_LIST_DAYS. No client name or data is asked for."""
    svc = services(request)
    inputs.same_site_or_allowed(request, svc.settings.allowed_origins)
    address = inputs.client_address(request, svc.settings.trusted_proxies)
    await inputs.rate_limit(svc.limits.address, address)
    data = await inputs.read_json_object(request)
    items = lists.checked_items(data.get("items"), svc.index, svc.directory)
    note = lists.checked_note(data.get("note"))
    days = svc.settings.shared_list_days
    shared = await anyio.to_thread.run_sync(svc.handoff.store.save_list, items, note, days)
    return JSONResponse(body_of(svc, shared), status_code=201)


async def read(request: Request) -> JSONResponse:
    """GET /api/lists/{id}: the list, its items as they read today."""
    svc = services(request)
    shared = await live_list(svc, request.path_params["list_id"])
    return JSONResponse(body_of(svc, shared))


routes = [
    Route("/lists", create, methods=["POST"]),
    Route("/lists/{list_id}", read, methods=["GET"]),
]
