"""GET /api/search: ranked passages from the knowledge base, for any client."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.http import inputs
from bot.services import Services
from peerpath.errors import BadRequest
from peerpath.search.index import Hit

MAX_K = 20


def result(hit: Hit, services: Services) -> dict[str, object]:
    passage = hit.passage
    source = f"{passage.title}, “{passage.heading}”" if passage.heading else passage.title
    anchor = f"#{passage.anchor}" if passage.anchor else ""
    return {
        "text": passage.text,
        "title": passage.title,
        "heading": passage.heading,
        "source": source,
        "url": f"{services.settings.public_url}/kb/{passage.doc_id}{anchor}",
        "score": round(hit.score, 4),
        "chunk_id": passage.chunk_id,
        "doc": passage.doc_id,
        "topics": list(passage.topics),
        "audience": list(passage.audience),
    }


def _k(raw: str | None) -> int:
    if raw is None or raw == "":
        return 5
    try:
        k = int(raw)
    except ValueError:
        raise BadRequest(f"k must be a whole number from 1 to {MAX_K}.") from None
    if not 1 <= k <= MAX_K:
        raise BadRequest(f"k must be a whole number from 1 to {MAX_K}.")
    return k


def _filter(request: Request, key: str, known: set[str]) -> list[str]:
    values = [v for raw in request.query_params.getlist(key) for v in raw.split(",") if v]
    unknown = sorted(set(values) - known)
    if unknown:
        raise BadRequest(f"Unknown {key}: {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    return values


async def search(request: Request) -> JSONResponse:
    """GET /api/search?q=...&k=5&topic=...&audience=...&lang=en|es: the best passages,
    best first, in one language (English unless `lang` says otherwise)."""
    services: Services = request.app.state.services
    address = inputs.client_address(request, services.settings.trusted_proxies)
    await inputs.rate_limit(services.limits.address, address)
    index = services.index
    query = (request.query_params.get("q") or "").strip()
    if not query:
        raise BadRequest("q is required: add ?q= and what you are looking for.")
    k = _k(request.query_params.get("k"))
    topics = _filter(request, "topic", {t for p in index.passages for t in p.topics})
    audiences = _filter(request, "audience", {a for p in index.passages for a in p.audience})
    languages = _filter(request, "lang", {p.lang for p in index.passages}) or ["en"]
    hits = await anyio.to_thread.run_sync(
        lambda: index.search(query, k, topics=topics, audiences=audiences, languages=languages)
    )
    threshold = services.settings.search.min_score
    return JSONResponse(
        {
            "results": [result(hit, services) for hit in hits],
            "confident": bool(hits) and hits[0].score >= threshold,
        }
    )


routes = [Route("/search", search, methods=["GET"])]
