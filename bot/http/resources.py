"""GET /api/resources: the resource directory (knowledge/resources.yml), filtered."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from peerpath.errors import BadRequest
from peerpath.resources import KINDS, Directory


def _choice(request: Request, key: str, known: list[str]) -> str | None:
    """One optional filter value; refused (400) unless the directory knows it."""
    value = (request.query_params.get(key) or "").strip()
    if not value:
        return None
    by_lower = {k.lower(): k for k in known}
    if value.lower() not in by_lower:
        raise BadRequest(f"Unknown {key}: {value}. Known: {', '.join(known)}.")
    return by_lower[value.lower()]


async def resources(request: Request) -> JSONResponse:
    """GET /api/resources?region=&topic=&kind=: matching entries, national ones included."""
    directory: Directory = request.app.state.services.directory
    region = _choice(request, "region", directory.regions())
    topic = _choice(request, "topic", directory.topics())
    kind = _choice(request, "kind", sorted(KINDS))
    found = directory.find(region=region, topic=topic, kind=kind)
    return JSONResponse(
        {
            "resources": [resource.to_dict() for resource in found],
            "regions": directory.regions(),
            "topics": directory.topics(),
            "kinds": sorted(KINDS),
        }
    )


routes = [Route("/resources", resources, methods=["GET"])]
