"""GET /api/resources: the resource directory (knowledge/resources.yml), filtered; as JSON,
or as CSV (`format=csv`) for an agency that loads it into its own system."""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from peerpath.errors import BadRequest
from peerpath.resources import KINDS, Directory, Resource

CSV_FIELDS = ("id", "name", "kind", "region", "description", "url", "phone", "text",
              "topics", "formats", "source")  # fmt: skip


def as_csv(found: list[Resource]) -> str:
    """One row per entry; list fields joined with "; "."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for resource in found:
        row = resource.to_dict()
        writer.writerow({
            key: "; ".join(value) if isinstance(value, list) else value
            for key, value in row.items() if key in CSV_FIELDS
        })  # fmt: skip
    return out.getvalue()


def _choice(request: Request, key: str, known: list[str]) -> str | None:
    """One optional filter value; refused (400) unless the directory knows it."""
    value = (request.query_params.get(key) or "").strip()
    if not value:
        return None
    by_lower = {k.lower(): k for k in known}
    if value.lower() not in by_lower:
        raise BadRequest(f"Unknown {key}: {value}. Known: {', '.join(known)}.")
    return by_lower[value.lower()]


async def resources(request: Request) -> Response:
    """GET /api/resources?region=&topic=&kind=[&format=csv]: matching entries, national
    ones included."""
    directory: Directory = request.app.state.services.directory
    region = _choice(request, "region", directory.regions())
    topic = _choice(request, "topic", directory.topics())
    kind = _choice(request, "kind", sorted(KINDS))
    found = directory.find(region=region, topic=topic, kind=kind)
    form = request.query_params.get("format", "json")
    if form not in ("json", "csv"):
        raise BadRequest("format is json or csv.")
    if form == "csv":
        download = {"Content-Disposition": 'attachment; filename="peerpath-resources.csv"'}
        return Response(as_csv(found), media_type="text/csv; charset=utf-8", headers=download)
    return JSONResponse(
        {
            "resources": [resource.to_dict() for resource in found],
            "regions": directory.regions(),
            "topics": directory.topics(),
            "kinds": sorted(KINDS),
        }
    )


routes = [Route("/resources", resources, methods=["GET"])]
