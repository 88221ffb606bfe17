"""What the action server's actions share: settings, the knowledge index and
the resource directory, opened once per process (at start-up, before the
first request; lazily if an action runs first, e.g. in tests).

The gateway sends each message's vector in its metadata, and the index holds
every passage's sentence vectors, so the action server embeds only what
nobody embedded before (a button's topic question, a follow-up joined with
the question before it), with the model in numpy: it needs no torch.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from peerpath import vectors
from peerpath.feedback import FeedbackStore
from peerpath.protocol import MessageMeta
from peerpath.resources import Directory
from peerpath.search.embedder import Encoder, NumpyEmbedder
from peerpath.search.index import KnowledgeIndex
from peerpath.search.service import open_index
from peerpath.settings import Settings


@dataclass(frozen=True)
class Knowledge:
    """The knowledge index and resource directory, with the settings they came from."""

    settings: Settings
    index: KnowledgeIndex
    directory: Directory

    _embedded: Any = field(default=None, init=False, repr=False, compare=False)
    _feedback: Any = field(default=None, init=False, repr=False, compare=False)
    _feedback_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @classmethod
    def open(cls, settings: Settings, embedder: Encoder | None = None) -> Knowledge:
        return cls(
            settings=settings,
            index=open_index(settings.search, embedder or NumpyEmbedder()),
            directory=Directory.load(settings.search.resources_file),
        )

    def vector(self, text: str, latest_message: dict[str, Any] | None = None) -> np.ndarray:
        """`text`'s vector: the gateway's, when `text` is what the person just sent
        (tracker.latest_message), else embedded here (the last 256 are kept)."""
        latest = latest_message or {}
        meta = MessageMeta.from_metadata(latest.get("metadata"))
        if meta is not None and meta.vector and latest.get("text") == text:
            given = vectors.decode(meta.vector)
            if given is not None:
                return given
        if self._embedded is None:
            cached = lru_cache(maxsize=256)(self.index.embedder.encode_query)
            object.__setattr__(self, "_embedded", cached)
        return self._embedded(text)

    def feedback(self) -> FeedbackStore:
        """The feedback and gap counts (peerpath/feedback.py), opened on first use."""
        with self._feedback_lock:
            if self._feedback is None:
                store = FeedbackStore(
                    self.settings.feedback_db_url.reveal(), auto_migrate=self.settings.auto_migrate
                )
                object.__setattr__(self, "_feedback", store)
            return self._feedback

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
