"""The resource directory (knowledge/resources.yml): organizations, trainings,
hotlines and programs, filterable by region, topic and kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from peerpath.errors import SearchError

KINDS = frozenset({"organization", "training", "hotline", "program"})


@dataclass(frozen=True)
class Resource:
    """One directory entry; empty strings where the directory does not know."""

    id: str
    name: str
    kind: str
    description: str
    region: str
    topics: tuple[str, ...]
    url: str = ""
    phone: str = ""
    text: str = ""
    formats: tuple[str, ...] = ()
    source: str = ""

    @property
    def national(self) -> bool:
        return self.region.lower() == "national"

    def to_dict(self) -> dict[str, Any]:
        data = {key: value for key, value in self.__dict__.items() if value}
        for key in ("topics", "formats"):
            if key in data:
                data[key] = list(data[key])
        return data

    def contact_line(self) -> str:
        """'Name: call 1-866-968-7842, https://...' in one line for a chat message."""
        parts = []
        if self.phone:
            parts.append(f"call {self.phone}")
        if self.text and self.text != self.phone:
            parts.append(f"text {self.text}")
        elif self.text:
            parts[-1] = f"call or text {self.phone}"
        if self.url:
            parts.append(self.url)
        return f"{self.name}: {', '.join(parts)}" if parts else self.name


def _entry(raw: dict[str, Any], position: int) -> Resource:
    missing = [k for k in ("id", "name", "kind", "description", "region") if not raw.get(k)]
    if missing:
        raise SearchError(f"resources entry {position}: missing {', '.join(missing)}")
    if raw["kind"] not in KINDS:
        raise SearchError(f"resources entry {raw['id']}: unknown kind")

    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key) or ()
        return (value,) if isinstance(value, str) else tuple(str(v) for v in value)

    return Resource(
        id=str(raw["id"]),
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        description=" ".join(str(raw["description"]).split()),
        region=str(raw["region"]),
        topics=strings("topics"),
        url=str(raw.get("url") or ""),
        phone=str(raw.get("phone") or ""),
        text=str(raw.get("text") or ""),
        formats=strings("formats"),
        source=str(raw.get("source") or ""),
    )


class Directory:
    """All resources, in file order, with simple filters."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = list(resources)
        self.by_id = {r.id: r for r in self.resources}
        if len(self.by_id) != len(self.resources):
            raise SearchError("resources: ids must be unique")

    @classmethod
    def load(cls, path: Path) -> Directory:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as exc:
            raise SearchError(f"{path.name}: cannot read ({type(exc).__name__})") from exc
        if not isinstance(raw, list):
            raise SearchError(f"{path.name}: must be a list of entries")
        return cls(_entry(item, i) for i, item in enumerate(raw, start=1))

    def get(self, resource_id: str) -> Resource | None:
        return self.by_id.get(resource_id)

    def find(
        self,
        *,
        region: str | None = None,
        topic: str | None = None,
        kind: str | None = None,
        include_national: bool = True,
    ) -> list[Resource]:
        """Entries matching every filter given; a region also matches national ones."""
        found = []
        for resource in self.resources:
            if kind and resource.kind != kind:
                continue
            if topic and topic not in resource.topics:
                continue
            elsewhere = region and resource.region.lower() != region.lower()
            if elsewhere and not (include_national and resource.national):
                continue
            found.append(resource)
        return found

    def regions(self) -> list[str]:
        return sorted({r.region for r in self.resources})

    def topics(self) -> list[str]:
        return sorted({t for r in self.resources for t in r.topics})
