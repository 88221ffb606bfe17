"""The staff API under /api/staff (list, claim, send, end, notes, transfer, release;
accounts and the audit trail for leads) and its live WebSocket.

Every call needs `Authorization: Bearer <token>` (an account's, or STAFF_TOKENS').
A refused call is logged with its path, never with what was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import asdict
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.events import STAFF
from bot.handoff.report import PERIODS, as_csv, period_of, rows
from bot.handoff.service import staff_view
from bot.handoff.staff import Staff
from bot.http.inputs import read_json_object
from bot.services import Services
from peerpath.errors import BadRequest, HandoffError
from peerpath.protocol import CLOSED_STATES

logger = logging.getLogger(__name__)
FIRST_FRAME = 'Send {"token": "..."} as a text frame first.'
MAX_FIRST_FRAME = 4096


def services(request: Request | WebSocket) -> Services:
    return request.app.state.services


async def staff_member(request: Request) -> Staff:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    staff = await services(request).staff_tokens.find(token)
    if staff is None:
        logger.warning("staff.refused path=%s", request.url.path)
        raise HandoffError("Staff only: send a valid token as 'Authorization: Bearer ...'.", 401)
    return staff


def required_text(data: dict[str, Any], key: str, refusal: str) -> str:
    """`data[key]`, a text with something in it, or BadRequest(`refusal`)."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(refusal)
    return value


async def team_lead(request: Request) -> Staff:
    staff = await staff_member(request)
    if not staff.lead:
        logger.warning("staff.not_lead path=%s", request.url.path)
        raise HandoffError("Team leads only.", 403)
    return staff


async def me(request: Request) -> JSONResponse:
    """GET /api/staff/me: who this token belongs to."""
    staff = await staff_member(request)
    return JSONResponse({"name": staff.name, "role": staff.role})


async def tickets(request: Request) -> JSONResponse:
    """GET /api/staff/tickets: the open queue, urgent first, oldest first."""
    await staff_member(request)
    return JSONResponse({"tickets": await services(request).handoff.open_tickets()})


async def ticket(request: Request) -> JSONResponse:
    """GET /api/staff/tickets/{id}: one ticket, its messages and any callback request."""
    await staff_member(request)
    handoff = services(request).handoff
    found = await handoff.get(request.path_params["ticket_id"])
    messages = await handoff.messages(found.id)
    body: dict[str, Any] = {
        "ticket": staff_view(found, sum(m["from"] != "system" for m in messages)),
        "messages": [m for m in messages if m["from"] != "system"],
    }
    if found.callback_message or found.callback_contact:
        body["callback"] = {"message": found.callback_message, "contact": found.callback_contact}
    body["notes"] = await handoff.notes(found.id)
    return JSONResponse(body)


async def claim(request: Request) -> JSONResponse:
    """POST /api/staff/tickets/{id}/claim."""
    staff = await staff_member(request)
    claimed = await services(request).handoff.claim(
        request.path_params["ticket_id"], staff.id, staff.name
    )
    return JSONResponse({"ticket": staff_view(claimed)})


async def send(request: Request) -> JSONResponse:
    """POST /api/staff/tickets/{id}/messages {"text": ...}: write to the person."""
    staff = await staff_member(request)
    text = required_text(await read_json_object(request), "text", "text is required.")
    await services(request).handoff.staff_send(request.path_params["ticket_id"], staff.id, text)
    return JSONResponse({"sent": True})


async def end(request: Request) -> JSONResponse:
    """POST /api/staff/tickets/{id}/end: close the chat; the person is back with the bot."""
    staff = await staff_member(request)
    ended = await services(request).handoff.end(request.path_params["ticket_id"], staff.id)
    return JSONResponse({"ticket": staff_view(ended)})


async def note(request: Request) -> JSONResponse:
    """POST /api/staff/tickets/{id}/notes {"text": ...}: a note for the team, never the person."""
    staff = await staff_member(request)
    text = required_text(await read_json_object(request), "text", "text is required.")
    await services(request).handoff.add_note(request.path_params["ticket_id"], staff.name, text)
    return JSONResponse({"noted": True})


async def transfer(request: Request) -> JSONResponse:
    """POST /api/staff/tickets/{id}/transfer {"to": NAME}: pass a claimed ticket on."""
    staff = await staff_member(request)
    data = await read_json_object(request)
    to = required_text(data, "to", "to (an account's name) is required.")
    moved = await services(request).handoff.transfer(
        request.path_params["ticket_id"], staff.id, staff.name, to.strip()
    )
    return JSONResponse({"ticket": staff_view(moved)})


async def release(request: Request) -> JSONResponse:
    """POST /api/staff/tickets/{id}/release: back to the queue, for any peer."""
    staff = await staff_member(request)
    released = await services(request).handoff.release(
        request.path_params["ticket_id"], staff.id, staff.name
    )
    return JSONResponse({"ticket": staff_view(released)})


async def accounts(request: Request) -> JSONResponse:
    """GET /api/staff/accounts: the team (leads). POST {"name", "role"} adds one,
    {"name", "rotate": true} gives it a new token, {"name", "disable": true} ends it;
    a new token is in the answer once, and nowhere else."""
    lead = await team_lead(request)
    desk = services(request).handoff.desk
    if request.method == "GET":
        found = await anyio.to_thread.run_sync(desk.accounts)
        return JSONResponse({"accounts": [a.to_dict() for a in found]})
    data = await read_json_object(request)
    name = required_text(data, "name", "name is required.").strip()
    token: str | None = None
    if data.get("disable") is True:
        await anyio.to_thread.run_sync(desk.disable, name)
        action = "disable"
    elif data.get("rotate") is True:
        token = await anyio.to_thread.run_sync(desk.rotate, name)
        action = "rotate"
    else:
        role = data.get("role", "peer")
        if not isinstance(role, str):
            raise BadRequest("role is peer or lead.")
        token = await anyio.to_thread.run_sync(desk.add_account, name, role)
        action = "add_account"
    await anyio.to_thread.run_sync(desk.record, lead.name, action, "", name)
    body: dict[str, Any] = {"name": name, "done": action}
    if token is not None:
        body["token"] = token
    return JSONResponse(body)


async def history(request: Request) -> JSONResponse:
    """GET /api/staff/history?day=YYYY-MM-DD[&state=ended][&lang=es]: the tickets closed
    that day (UTC, default today); each opens with GET /api/staff/tickets/{id}."""
    await staff_member(request)
    params = request.query_params
    try:
        day = dt.date.fromisoformat(params.get("day") or dt.datetime.now(dt.UTC).date().isoformat())
    except ValueError:
        raise BadRequest("day is a date: YYYY-MM-DD.") from None
    state, lang = params.get("state", ""), params.get("lang", "")
    if state and state not in {str(s) for s in CLOSED_STATES}:
        raise BadRequest(f"state is one of: {', '.join(sorted(str(s) for s in CLOSED_STATES))}.")
    found = await services(request).handoff.history(day, state, lang[:8])
    return JSONResponse({"day": day.isoformat(), "tickets": found})


async def callbacks(request: Request) -> JSONResponse:
    """GET /api/staff/callbacks: who asked to be reached, how, and since when."""
    await staff_member(request)
    return JSONResponse({"callbacks": await services(request).handoff.callbacks()})


async def callback_done(request: Request) -> JSONResponse:
    """POST /api/staff/tickets/{id}/callback_done: the person was reached; close it."""
    staff = await staff_member(request)
    done = await services(request).handoff.callback_done(
        request.path_params["ticket_id"], staff.name
    )
    return JSONResponse({"ticket": staff_view(done)})


async def saved_replies(request: Request) -> JSONResponse:
    """GET /api/staff/replies[?lang=es]: the team's saved replies. POST {"title", "text",
    "lang"} adds or changes one, {"title", "delete": true} removes it (leads)."""
    desk = services(request).handoff.desk
    if request.method == "GET":
        await staff_member(request)
        lang = request.query_params.get("lang", "")
        return JSONResponse({"replies": await anyio.to_thread.run_sync(desk.replies, lang)})
    lead = await team_lead(request)
    data = await read_json_object(request)
    title, text, lang = data.get("title"), data.get("text", ""), data.get("lang", "")
    if not isinstance(title, str) or not isinstance(text, str) or not isinstance(lang, str):
        raise BadRequest("title, text and lang are text.")
    if data.get("delete") is True:
        await anyio.to_thread.run_sync(desk.delete_reply, title)
        action = "delete_reply"
    else:
        await anyio.to_thread.run_sync(desk.save_reply, title, text, lang, lead.name)
        action = "save_reply"
    await anyio.to_thread.run_sync(desk.record, lead.name, action, "", title[:64])
    return JSONResponse({"title": title, "done": action})


async def report(request: Request) -> Response:
    """GET /api/staff/report?by=day|week&days=28[&format=csv]: the team's figures (leads)."""
    await team_lead(request)
    params = request.query_params
    by = params.get("by", "day")
    if by not in PERIODS:
        raise BadRequest("by is day or week.")
    try:
        days = int(params.get("days", "28"))
    except ValueError:
        raise BadRequest("days is a number from 1 to 366.") from None
    if not 1 <= days <= 366:
        raise BadRequest("days is a number from 1 to 366.")
    handoff = services(request).handoff
    end = dt.datetime.now(dt.UTC)
    start = end - dt.timedelta(days=days)
    tickets = await anyio.to_thread.run_sync(handoff.store.created_between, start, end)
    done = await anyio.to_thread.run_sync(handoff.desk.actions_between, "callback_done", start, end)
    found = rows(tickets, Counter(period_of(at, by) for at in done), by)
    if params.get("format") == "csv":
        download = {"Content-Disposition": 'attachment; filename="peer-desk.csv"'}
        return Response(as_csv(found), media_type="text/csv; charset=utf-8", headers=download)
    return JSONResponse({"by": by, "days": days, "rows": [asdict(r) for r in found]})


async def gaps(request: Request) -> JSONResponse:
    """GET /api/staff/gaps?weeks=8: what people asked that PeerPath couldn't answer well,
    counted per week by kind, nearest section and topic (leads; never a question's words)."""
    await team_lead(request)
    try:
        weeks = int(request.query_params.get("weeks", "8"))
    except ValueError:
        raise BadRequest("weeks is a number from 1 to 52.") from None
    if not 1 <= weeks <= 52:
        raise BadRequest("weeks is a number from 1 to 52.")
    since = dt.date.today() - dt.timedelta(weeks=weeks - 1)
    store = await anyio.to_thread.run_sync(services(request).feedback)
    found = await anyio.to_thread.run_sync(store.gaps, since)
    return JSONResponse({"weeks": weeks, "rows": [row.to_dict() for row in found]})


async def audit(request: Request) -> JSONResponse:
    """GET /api/staff/audit: who did what, when (leads; never what was written)."""
    await team_lead(request)
    desk = services(request).handoff.desk
    return JSONResponse({"actions": await anyio.to_thread.run_sync(desk.audit)})


async def live(websocket: WebSocket) -> None:
    """WS /ws/staff: send {"token": ...} first, then receive queue events as they happen."""
    await websocket.accept()
    svc = services(websocket)
    try:
        first = await asyncio.wait_for(websocket.receive(), timeout=10)
    except TimeoutError:
        await _close(websocket, 1008, FIRST_FRAME)
        return
    if first["type"] == "websocket.disconnect":
        logger.info("staff.socket_gone path=/ws/staff")
        return
    if first.get("text") is None:
        await _close(websocket, 1003, FIRST_FRAME)
        return
    staff = await svc.staff_tokens.find(_token(first["text"]))
    if staff is None:
        logger.warning("staff.refused path=/ws/staff")
        try:
            await websocket.send_json({"type": "error", "error": "Staff only."})
        except (WebSocketDisconnect, RuntimeError):
            return
        await _close(websocket, 1008, "Staff only.")
        return
    async with svc.bus.subscribe(STAFF) as queue:
        receiver = asyncio.create_task(_drain(websocket))
        try:
            await websocket.send_json({"type": "hello", "name": staff.name})
            while not receiver.done():
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait(
                    {getter, receiver}, return_when=asyncio.FIRST_COMPLETED
                )
                if getter in done:
                    await websocket.send_json(getter.result())
                else:
                    getter.cancel()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            receiver.cancel()


def _token(text: str) -> str | None:
    """The token of a {"token": "..."} frame; None for anything else."""
    if len(text) > MAX_FIRST_FRAME:
        return None
    try:
        first = json.loads(text)
    except (ValueError, RecursionError):
        return None
    token = first.get("token") if isinstance(first, dict) else None
    if not isinstance(token, str):
        return None
    try:
        token.encode()
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800") is valid JSON
        return None
    return token


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    """Close with `code`; a console that has gone already needs nothing more."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.close(code=code, reason=reason)


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the console sends until it goes away."""
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except RuntimeError:
        return


routes = [
    Route("/staff/me", me, methods=["GET"]),
    Route("/staff/tickets", tickets, methods=["GET"]),
    Route("/staff/tickets/{ticket_id}", ticket, methods=["GET"]),
    Route("/staff/tickets/{ticket_id}/claim", claim, methods=["POST"]),
    Route("/staff/tickets/{ticket_id}/messages", send, methods=["POST"]),
    Route("/staff/tickets/{ticket_id}/end", end, methods=["POST"]),
    Route("/staff/tickets/{ticket_id}/notes", note, methods=["POST"]),
    Route("/staff/tickets/{ticket_id}/transfer", transfer, methods=["POST"]),
    Route("/staff/tickets/{ticket_id}/release", release, methods=["POST"]),
    Route("/staff/accounts", accounts, methods=["GET", "POST"]),
    Route("/staff/replies", saved_replies, methods=["GET", "POST"]),
    Route("/staff/history", history, methods=["GET"]),
    Route("/staff/callbacks", callbacks, methods=["GET"]),
    Route("/staff/tickets/{ticket_id}/callback_done", callback_done, methods=["POST"]),
    Route("/staff/audit", audit, methods=["GET"]),
    Route("/staff/report", report, methods=["GET"]),
    Route("/staff/gaps", gaps, methods=["GET"]),
]
socket_routes = [WebSocketRoute("/ws/staff", live)]
