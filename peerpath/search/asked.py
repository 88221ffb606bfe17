"""Questions people might ask that a section answers: search data beside the articles.

`<knowledge folder>/asked/<doc id>.yml` maps a section's heading to a few
questions in users' own words (knowledge/asked/, written by people who read
only the articles). Search matches a question against them as well as against
the section itself, which bridges the gap between how an article says a thing
and how people ask for it ("peer pay new york" for "How do peer specialist
wages compare with case managers?"). They are never shown to anyone.

A file that can't be read, or a heading no section has, is logged and
skipped: the index still builds from the articles alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

FOLDER = "asked"
Asked = dict[tuple[str, str], tuple[str, ...]]  # (doc id, heading) -> questions


def asked_files(folders: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every questions file under the folders' asked/, with the doc id it belongs to."""
    found = []
    for folder in folders:
        root = folder / FOLDER
        if root.is_dir():
            for path in sorted(root.rglob("*.yml")):
                found.append((path, path.relative_to(root).with_suffix("").as_posix()))
    return found


def read_asked(folders: Iterable[Path]) -> Asked:
    """The questions of every section, by (doc id, heading)."""
    asked: Asked = {}
    for path, doc_id in asked_files(folders):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            logger.warning("search.asked_unreadable doc=%s error=%s", doc_id, type(exc).__name__)
            continue
        if not isinstance(data, dict):
            logger.warning("search.asked_unreadable doc=%s error=not-a-mapping", doc_id)
            continue
        for heading, questions in data.items():
            if isinstance(heading, str) and isinstance(questions, list):
                kept = tuple(q.strip() for q in questions if isinstance(q, str) and q.strip())
                asked[(doc_id, heading.strip())] = kept
    return asked
