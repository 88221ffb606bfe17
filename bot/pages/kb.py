"""GET /kb/<doc>: a knowledge article as a web page, with its sources."""

from __future__ import annotations

from html import escape
from typing import Any

from markdown_it import MarkdownIt
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.pages.headers import page_headers
from bot.pages.layout import page
from bot.services import Services
from peerpath.search.chunking import slug
from peerpath.search.documents import find_files, read_document, split_front_matter

# Raw HTML in articles is shown as text, never rendered.
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


def heading_ids(tokens: list[Any]) -> None:
    """Give each heading the same anchor the search index uses for its section."""
    used: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            base = slug(tokens[i + 1].content)
            used[base] = used.get(base, 0) + 1
            token.attrSet("id", base if used[base] == 1 else f"{base}-{used[base]}")


def render_markdown(body: str) -> str:
    tokens = MARKDOWN.parse(body)
    heading_ids(tokens)
    return MARKDOWN.renderer.render(tokens, MARKDOWN.options, {})


def render_sources(sources: tuple[dict[str, Any], ...]) -> str:
    if not sources:
        return ""
    items = []
    for source in sources:
        title = escape(str(source.get("title") or "Untitled"))
        url = str(source.get("url") or "")
        if url.startswith(("https://", "http://")):
            title = f'<a href="{escape(url)}">{title}</a>'
        by = ", ".join(escape(str(source[k])) for k in ("author", "year") if source.get(k))
        items.append(f"<li>{title}{' — ' + by if by else ''}</li>")
    return (
        f'<section class="card"><h2>Sources</h2><ul class="sources">{"".join(items)}</ul></section>'
    )


async def article(request: Request) -> HTMLResponse:
    """Render one knowledge document by its id."""
    services: Services = request.app.state.services
    doc_id = request.path_params["doc"]
    files = dict((d, p) for p, d in find_files(services.settings.search.knowledge_dirs))
    path = files.get(doc_id)
    if path is None:
        raise HTTPException(404, "No such article.")
    document = read_document(path, doc_id)
    if document.kind == "markdown":
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        content = render_markdown(body)
    else:
        content = "".join(
            (f"<h2>{escape(b.headings[-1])}</h2>" if b.headings else "")
            + f"<p>{escape(b.text)}</p>"
            for b in document.blocks
        )
    note = ""
    if "benefits" in document.topics:
        note = (
            '<p class="card"><strong>General information only.</strong> This is not legal or '
            "financial advice. A free benefits counselor can help with your own situation.</p>"
        )
    body = (
        f"<article><h1>{escape(document.title)}</h1>"
        f'<p class="muted">{escape(document.summary)}</p>{note}{content}</article>'
        f"{render_sources(document.sources)}"
    )
    return HTMLResponse(page(document.title, body), headers=page_headers())


routes = [Route("/kb/{doc:path}", article, methods=["GET"])]
