"""What the action server's actions share: settings, the knowledge index and
the resource directory, opened once per process (at start-up, before the
first request; lazily if an action runs first, e.g. in tests)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from peerpath.resources import Directory
from peerpath.search.index import KnowledgeIndex
from peerpath.search.service import open_index
from peerpath.settings import Settings


@dataclass(frozen=True)
class Knowledge:
    """The knowledge index and resource directory, with the settings they came from."""

    settings: Settings
    index: KnowledgeIndex
    directory: Directory

    @classmethod
    def open(cls, settings: Settings) -> Knowledge:
        return cls(
            settings=settings,
            index=open_index(settings.search),
            directory=Directory.load(settings.search.resources_file),
        )

    def source_url(self, doc_id: str, anchor: str = "") -> str:
        url = f"{self.settings.public_url}/kb/{doc_id}"
        return f"{url}#{anchor}" if anchor else url


_lock = threading.Lock()
_knowledge: Knowledge | None = None


def knowledge(settings: Settings | None = None) -> Knowledge:
    """The process's Knowledge, opened on first use."""
    global _knowledge
    with _lock:
        if _knowledge is None:
            _knowledge = Knowledge.open(settings or Settings.from_env())
        return _knowledge
