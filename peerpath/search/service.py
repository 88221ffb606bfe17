"""Opening the knowledge index for a process: load it, or rebuild it if stale.

The gateway and the action server may start at the same moment; a file lock
makes one of them build while the other waits and then loads the result.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from peerpath.errors import IndexMismatch
from peerpath.search.asked import FOLDER, asked_files, read_asked
from peerpath.search.documents import find_files, read_folders
from peerpath.search.embedder import Embedder, Encoder, Progress
from peerpath.search.index import FusionParams, KnowledgeIndex, content_hash
from peerpath.search.spelling import word_list
from peerpath.settings import SearchSettings

logger = logging.getLogger(__name__)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sources(folders: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every file the index is built from: the documents and their asked questions."""
    folders = list(folders)
    asked = [(path, f"{FOLDER}:{doc_id}") for path, doc_id in asked_files(folders)]
    return [*find_files(folders), *asked]


def open_index(
    settings: SearchSettings,
    embedder: Encoder | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> KnowledgeIndex:
    """The index for `settings.knowledge_dirs`, rebuilt only if the documents changed."""
    started = time.perf_counter()
    embedder = embedder or Embedder()
    digest = content_hash(sources(settings.knowledge_dirs))
    with locked(settings.index_dir.with_name(settings.index_dir.name + ".lock")):
        try:
            if force:
                raise IndexMismatch("a rebuild was asked for")
            index = KnowledgeIndex.load(settings.index_dir, embedder, expected_hash=digest)
            logger.info("search.index_loaded passages=%d", index.manifest.count)
        except IndexMismatch as exc:
            logger.warning("search.index_rebuild reason=%s", exc)
            documents = read_folders(settings.knowledge_dirs)
            index = KnowledgeIndex.build(
                documents,
                embedder,
                hnsw_threshold=settings.hnsw_threshold,
                progress=progress,
                digest=digest,
                asked=read_asked(settings.knowledge_dirs),
            )
            index.save(settings.index_dir)
    index.fusion = FusionParams(alpha=settings.alpha, bm25_floor=settings.bm25_floor)
    index.spell_with(word_list(settings.words_file))
    index.speller  # built now, at start-up, not on someone's first question  # noqa: B018
    logger.info("search.ready ms=%.0f", (time.perf_counter() - started) * 1000)
    return index
