"""GET /lists/{id}: a counselor's list for a client, read-only and made to print;
GET /lists/{id}.txt: the same as plain text (bot/lists.py)."""

from __future__ import annotations

import json
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import lists
from bot.http.lists import live_list
from bot.pages.headers import page_headers
from bot.pages.layout import page
from bot.services import Services
from peerpath.errors import BadRequest

# a list's link is for the person it was given to: never indexed
HEAD = (
    '<link rel="stylesheet" href="/static/pages.css"><meta name="robots" content="noindex">'
    '<script src="/static/shared.js" defer></script>'
)


def _item(number: int, item: lists.ListItem) -> str:
    title = escape(item.title)
    heading = f'<a href="{escape(item.url)}">{title}</a>' if item.url else title
    parts = [f'<h2 class="item-title">{number}. {heading}</h2>']
    if item.contact:
        parts.append(f'<p class="contact">{escape(item.contact)}</p>')
    parts.append(f'<p class="passage">{escape(item.detail)}</p>')
    if item.url:
        parts.append(f'<p class="print-url">{escape(item.url)}</p>')
    return f'<li class="result">{"".join(parts)}</li>'


async def shared_page(request: Request) -> Response:
    """The list, read-only; or a page that says why there is none."""
    svc: Services = request.app.state.services
    list_id = request.path_params["list_id"]
    as_text = list_id.endswith(".txt")
    try:
        shared = await live_list(svc, list_id.removesuffix(".txt"))
    except BadRequest as exc:
        if as_text:
            return PlainTextResponse(exc.detail + "\n", exc.status_code, headers=page_headers())
        body = f'<h1>No list here</h1><p class="card">{escape(exc.detail)}</p>'
        return HTMLResponse(page("Resources", body, head=HEAD), exc.status_code, page_headers())
    items = lists.resolve(json.loads(shared.items), svc.index, svc.directory,
                          svc.settings.public_url)  # fmt: skip
    if as_text:
        return PlainTextResponse(lists.as_text(items, shared.note), headers=page_headers())
    note = f'<p class="note card">{escape(shared.note)}</p>' if shared.note else ""
    until = shared.expires_at.strftime("%B %-d, %Y")
    body = f"""
<h1>Resources for you</h1>
{note}
<ol class="results shared-list">{"".join(_item(n, i) for n, i in enumerate(items, start=1))}</ol>
<p class="crisis-line">If you are in crisis, call or text <strong>988</strong>. In an
emergency, call <strong>911</strong>.</p>
<p class="muted small no-print">This page works until {escape(until)}.
<a href="/lists/{escape(shared.id)}.txt">Plain text</a> ·
<button type="button" id="print">Print</button></p>
"""
    return HTMLResponse(page("Resources for you", body, head=HEAD), headers=page_headers())


routes = [Route("/lists/{list_id}", shared_page, methods=["GET"])]
