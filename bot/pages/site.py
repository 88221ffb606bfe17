"""The gateway's web pages and static files.

Routes: `/` the coalition-style demo page with the chat widget (demo.py);
`/widget.js` the embeddable widget; `/static/<name>` the pages' scripts and
stylesheet; `/resources` the lookup for VR counselors (lookup.js); `/staff`
the peer staff console (staff.js). The JSON they call is in bot/http/.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import BaseRoute, Route

from bot.pages.demo import demo
from bot.pages.headers import page_headers, static_headers
from bot.pages.layout import page
from bot.services import Services
from peerpath.resources import KINDS

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
STATIC_FILES = frozenset({"widget.js", "dom.js", "lookup.js", "staff.js", "shared.js", "pages.css"})
HEAD = '<link rel="stylesheet" href="/static/pages.css">'


def _static(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(404, "No such file.")
    path = STATIC_DIR / name
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix], headers=static_headers())


async def widget(request: Request) -> FileResponse:
    """GET /widget.js: the chat widget other sites embed with one script tag."""
    return _static("widget.js")


async def static(request: Request) -> FileResponse:
    """GET /static/<name>: one of the pages' own scripts or stylesheet."""
    return _static(request.path_params["name"])


def label(value: str) -> str:
    """'peer-specialist' -> 'Peer specialist'."""
    text = value.replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def options(values: Iterable[str], everything: str) -> str:
    items = [f'<option value="">{escape(everything)}</option>']
    items += [f'<option value="{escape(v)}">{escape(label(v))}</option>' for v in values]
    return "".join(items)


def select(name: str, caption: str, choices: str, id_prefix: str) -> str:
    field_id = f"{id_prefix}-{name}"
    return (
        f'<div class="field"><label for="{field_id}">{escape(caption)}</label>'
        f'<select id="{field_id}" name="{name}">{choices}</select></div>'
    )


async def resources_page(request: Request) -> HTMLResponse:
    """GET /resources: search the knowledge base and the resource directory for a client."""
    services: Services = request.app.state.services
    passages = services.index.passages
    topics = sorted({t for p in passages for t in p.topics})
    audiences = sorted({a for p in passages for a in p.audience})
    directory = services.directory
    body = f"""
<h1>Find resources for a client</h1>
<p class="muted">For vocational rehabilitation counselors and peer staff: describe what your
client needs and get the most relevant passages from PeerPath's articles, each with a link
you can share. The directory below lists organizations, trainings, hotlines and programs.</p>
<noscript><p class="card">This page needs JavaScript to search. You can still read the
articles: start with <a href="/kb/peer-support-resources">peer support resources</a>.</p></noscript>
<section class="card no-print" aria-labelledby="search-heading">
<h2 id="search-heading">Search the articles</h2>
<form id="search-form" role="search">
<div class="field wide"><label for="q">What does your client need?</label>
<input id="q" name="q" type="search" required maxlength="500" autocomplete="off"
 placeholder="For example: keeping SSDI while working part time"></div>
<div class="filters">
{select("topic", "Topic", options(topics, "All topics"), "search")}
{select("audience", "Written for", options(audiences, "Everyone"), "search")}
{select("k", "Results", '<option value="5">5</option><option value="10">10</option>', "search")}
</div>
<button type="submit" class="primary">Search</button>
</form>
</section>
<section id="my-list" class="card my-list no-print" aria-labelledby="list-heading">
<h2 id="list-heading">A list for your client</h2>
<p id="list-empty" class="muted">Add passages and resources below with "Add to list", then
create a link to share, print or paste as text. No client name or data is asked for.</p>
<ol id="list-items"></ol>
<div id="list-tools" hidden>
<div class="field wide"><label for="list-note">A short note for your client (optional;
please leave out their name)</label>
<textarea id="list-note" rows="2" maxlength="500"></textarea></div>
<button type="button" id="list-create" class="primary">Create a link</button>
</div>
<p id="list-status" class="status" role="status"></p>
<div id="list-made" hidden></div>
<div id="recent" hidden><h3>Your recent lists (this browser)</h3><ul id="recent-lists"></ul></div>
</section>
<section aria-labelledby="results-heading">
<h2 id="results-heading">Passages</h2>
<p id="search-status" class="status" role="status">Results will appear here.</p>
<ol id="results" class="results"></ol>
</section>
<section aria-labelledby="directory-heading">
<h2 id="directory-heading">Resource directory</h2>
<form id="directory-form" class="card no-print" aria-label="Filter the directory">
<div class="filters">
{select("region", "Region", options(directory.regions(), "All regions"), "dir")}
{select("topic", "Topic", options(directory.topics(), "All topics"), "dir")}
{select("kind", "Kind", options(sorted(KINDS), "All kinds"), "dir")}
</div>
<p class="muted small">A region also shows national resources.</p>
</form>
<p id="directory-status" class="status" role="status"></p>
<ul id="directory" class="results"></ul>
</section>
<script src="/static/dom.js" defer></script>
<script src="/static/lookup.js" defer></script>
"""
    return HTMLResponse(page("Find resources", body, head=HEAD), headers=page_headers())


async def staff_page(request: Request) -> HTMLResponse:
    """GET /staff: the peer staff console (queue, claim, chat, end)."""
    body = """
<div id="staff-app">
<h1>Peer staff console</h1>
<section id="login" class="card" aria-labelledby="login-heading">
<h2 id="login-heading">Sign in</h2>
<form id="login-form">
<div class="field"><label for="token">Staff token</label>
<input id="token" name="token" type="password" required autocomplete="current-password"
 spellcheck="false"></div>
<button type="submit" class="primary">Sign in</button>
</form>
<p id="login-error" class="error" role="alert"></p>
<p class="muted small">Your token is kept only in this browser tab and forgotten when you
close it.</p>
</section>
<section id="console" hidden aria-label="Console">
<p class="signed-in"><span>Signed in as <strong id="me"></strong>.</span>
<button type="button" id="sign-out">Sign out</button>
<span id="live" class="live" role="status"></span></p>
<div class="staff-grid">
<section aria-labelledby="queue-heading" class="card">
<h2 id="queue-heading">Queue</h2>
<p id="queue-empty" class="muted">Nobody is waiting right now.</p>
<ul id="queue" class="queue"></ul>
</section>
<section aria-labelledby="chat-heading" class="card" id="chat">
<h2 id="chat-heading" tabindex="-1">Conversation</h2>
<p id="chat-hint" class="muted">Choose someone from the queue.</p>
<div id="ticket" hidden>
<p id="ticket-meta"></p>
<div id="callback" class="callback" hidden></div>
<div class="actions">
<button type="button" id="claim" class="primary">Claim</button>
<button type="button" id="end">End chat</button>
</div>
<div role="log" aria-live="polite" aria-label="Messages"><ol id="thread" class="thread"></ol></div>
<form id="reply-form">
<label for="reply">Write to the person</label>
<textarea id="reply" rows="3" maxlength="2000"></textarea>
<button type="submit" class="primary">Send</button>
</form>
</div>
<p id="chat-error" class="error" role="alert"></p>
</section>
</div>
</section>
</div>
<script src="/static/dom.js" defer></script>
<script src="/static/staff.js" defer></script>
"""
    return HTMLResponse(page("Staff console", body, head=HEAD), headers=page_headers())


routes: list[BaseRoute] = [
    Route("/", demo, methods=["GET"]),
    Route("/widget.js", widget, methods=["GET"]),
    Route("/static/{name}", static, methods=["GET"]),
    Route("/resources", resources_page, methods=["GET"]),
    Route("/staff", staff_page, methods=["GET"]),
]
