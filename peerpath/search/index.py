"""The knowledge index: build -> save(dir) -> load(dir) -> search(query, k).

Dense search (faiss, inner product over unit vectors) and BM25 keyword search
over the same passages, fused by a convex combination of their scores:

    score = alpha * cosine + (1 - alpha) * bm25 / max(best_bm25, bm25_floor)

where a section with questions people might ask (asked.py) has cosine =
(1 - w) * cosine(question, section) + w * max cosine(question, its questions),
and BM25 reads those questions with the section. A section whose heading asks
the same kind of question as the query (who, when, where...: question_kind.py)
gains a small bonus that settles near-ties between siblings.

The keyword part is relative to the best keyword match of the query, but the
floor keeps a query whose words barely match anything from scoring as if it
matched perfectly, so the fused score can decide when PeerPath should abstain.
A saved index describes itself in manifest.json (model, dimension, count,
content hash, version); arrays are saved without pickle.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from peerpath.errors import IndexMismatch, SearchError
from peerpath.search.answers import prose_sentences
from peerpath.search.asked import Asked
from peerpath.search.chunking import MAX_WORDS, Passage, chunk
from peerpath.search.documents import Document
from peerpath.search.embedder import Encoder, Progress
from peerpath.search.lexical import Lexical
from peerpath.search.question_kind import question_kind
from peerpath.search.spelling import Speller

logger = logging.getLogger(__name__)

# 2: sentence vectors; 3: citations; 4: asked; 5: languages; 6: Spanish chunks; 7: quoted
INDEX_VERSION = 7
MAX_QUERY_CHARS = 500
Mode = Literal["fused", "dense", "lexical"]


@dataclass(frozen=True)
class FusionParams:
    """How dense and keyword scores are combined (tuned on tests/eval)."""

    alpha: float = 0.7
    bm25_floor: float = 6.0
    candidates: int = 50
    asked_weight: float = 0.25  # w above: chosen on the dev questions (docs/quality.md)
    # added when a section's heading asks the same kind of question (question_kind.py)
    kind_bonus: float = 0.03


@dataclass(frozen=True)
class Hit:
    """One search result, best first; `score` is the fused score."""

    passage: Passage
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Manifest:
    version: int
    model: str
    dimension: int
    count: int
    content_hash: str
    index_type: str
    chunk_words: int
    built_at: float

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            raise IndexMismatch("no saved index") from None
        except (ValueError, TypeError) as exc:
            raise IndexMismatch(f"manifest.json is unreadable ({type(exc).__name__})") from None


def content_hash(files: Iterable[tuple[Path, str]]) -> str:
    """A hash of what the index is built from: the files, their ids, the chunking."""
    digest = hashlib.sha256(f"v{INDEX_VERSION}:words{MAX_WORDS}".encode())
    for path, doc_id in sorted(files, key=lambda item: item[1]):
        digest.update(doc_id.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _with_asked(passages: list[Passage], asked: Asked) -> list[Passage]:
    """Each passage with its section's asked questions; headings no section has are logged."""
    out = [replace(p, asked=asked.get((p.doc_id, p.heading), ())) for p in passages]
    unmatched = set(asked) - {(p.doc_id, p.heading) for p in passages}
    for doc_id, _ in sorted(unmatched):
        logger.warning("search.asked_unmatched doc=%s", doc_id)
    return out


def _dense_index(vectors: np.ndarray, hnsw_threshold: int) -> faiss.Index:
    dimension = vectors.shape[1]
    index: faiss.Index
    if len(vectors) > hnsw_threshold:
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(dimension)
    index.add(vectors)
    return index


class KnowledgeIndex:
    """Passages with their vectors, a faiss index and a BM25 index."""

    def __init__(
        self,
        passages: list[Passage],
        vectors: np.ndarray,
        dense: faiss.Index,
        lexical: Lexical,
        embedder: Encoder,
        manifest: Manifest,
        sentences: np.ndarray,
        sentence_starts: np.ndarray,
        asked: np.ndarray | None = None,
        fusion: FusionParams | None = None,
    ) -> None:
        self.passages = passages
        self.vectors = vectors
        # the vectors of every passage's asked questions, in passage order; row i of
        # `asked` belongs to passage asked_rows[i]
        owners = [row for row, p in enumerate(passages) for _ in p.asked]
        self.asked_rows = np.array(owners, dtype=np.int64)
        self.asked = asked if asked is not None and owners and len(asked) == len(owners) else None
        # the vectors of each passage's sentences (answers.prose_sentences), in order:
        # passage i has rows sentence_starts[i]:sentence_starts[i + 1]
        self.sentences = sentences
        self.sentence_starts = sentence_starts
        self.dense = dense
        self.lexical = lexical
        self.embedder = embedder
        self.manifest = manifest
        self.fusion = fusion or FusionParams()
        self.by_id = {p.chunk_id: i for i, p in enumerate(passages)}
        if isinstance(dense, faiss.IndexHNSW):
            dense.hnsw.efSearch = 128
        self.heading_kinds = [question_kind(p.heading) for p in passages]
        self._topic_rows = self._rows_by(lambda p: p.topics)
        self._audience_rows = self._rows_by(lambda p: p.audience)
        self._language_rows = self._rows_by(lambda p: (p.lang,))
        self._dictionary: frozenset[str] = frozenset()
        self._speller: Speller | None = None

    def spell_with(self, dictionary: frozenset[str]) -> None:
        """Typo repair leaves `dictionary`'s words alone too (built on next use)."""
        self._dictionary, self._speller = dictionary, None

    @property
    def speller(self) -> Speller:
        """Typo repair against the passages, the model's words and the dictionary's."""
        if self._speller is None:
            self._speller = Speller(
                (p.embedding_text() for p in self.passages),
                self.embedder.whole_words(),
                self._dictionary,
            )
        return self._speller

    def _rows_by(self, values: Callable[[Passage], Iterable[str]]) -> dict[str, np.ndarray]:
        rows: dict[str, list[int]] = {}
        for row, passage in enumerate(self.passages):
            for value in values(passage):
                rows.setdefault(value, []).append(row)
        return {key: np.array(value, dtype=np.int64) for key, value in rows.items()}

    # --- build, save, load ---------------------------------------------------

    @classmethod
    def build(
        cls,
        documents: list[Document],
        embedder: Encoder,
        hnsw_threshold: int = 50_000,
        progress: Progress | None = None,
        passages: list[Passage] | None = None,
        digest: str | None = None,
        vectors: np.ndarray | None = None,
        asked: Asked | None = None,
    ) -> KnowledgeIndex:
        """Chunk, embed and index `documents` (or ready-made `passages`, even `vectors`),
        with the questions people might ask of each section (`asked`)."""
        started = time.perf_counter()
        if passages is None:
            passages = [p for document in documents for p in chunk(document)]
        if not passages:
            raise SearchError("no passages to index: the knowledge folders have no readable text")
        if asked:
            passages = _with_asked(passages, asked)
        texts = [p.embedding_text() for p in passages]
        per_passage = [prose_sentences(p.text) for p in passages]
        sentence_texts = [sentence for sentences in per_passage for sentence in sentences]
        asked_texts = [question for p in passages for question in p.asked]
        if vectors is None:
            every = embedder.encode(texts + sentence_texts + asked_texts, progress=progress)
            vectors = every[: len(texts)]
            sentences = every[len(texts) : len(texts) + len(sentence_texts)]
            asked_vectors = every[len(texts) + len(sentence_texts) :]
        elif vectors.shape != (len(passages), embedder.dimension):
            raise SearchError("vectors must have one row per passage")
        else:  # given vectors (the bench's generated corpus): sentences stand in for themselves
            sentences = np.zeros((len(sentence_texts), embedder.dimension), dtype=np.float32)
            asked_vectors = embedder.encode(asked_texts)
        starts = np.cumsum([0, *map(len, per_passage)]).astype(np.int64)
        dense = _dense_index(vectors, hnsw_threshold)
        lexical = Lexical.build([p.keyword_text() for p in passages])
        manifest = Manifest(
            version=INDEX_VERSION,
            model=embedder.name,
            dimension=embedder.dimension,
            count=len(passages),
            content_hash=digest or content_hash((d.path, d.doc_id) for d in documents),
            index_type=type(dense).__name__,
            chunk_words=MAX_WORDS,
            built_at=time.time(),
        )
        logger.info(
            "search.index_built passages=%d ms=%.0f",
            len(passages),
            (time.perf_counter() - started) * 1000,
        )
        return cls(
            passages, vectors, dense, lexical, embedder, manifest, sentences, starts, asked_vectors
        )

    def save(self, folder: Path) -> None:
        """Write the index to `folder`, replacing what was there in one step."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.with_name(folder.name + f".tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        with (staging / "passages.jsonl").open("w", encoding="utf-8") as out:
            for passage in self.passages:
                out.write(json.dumps(asdict(passage), ensure_ascii=False) + "\n")
        np.save(staging / "vectors.npy", self.vectors, allow_pickle=False)
        np.save(staging / "sentences.npy", self.sentences, allow_pickle=False)
        np.save(staging / "sentence_starts.npy", self.sentence_starts, allow_pickle=False)
        if self.asked is not None:
            np.save(staging / "asked.npy", self.asked, allow_pickle=False)
        faiss.write_index(self.dense, str(staging / "dense.faiss"))
        self.lexical.save(staging / "bm25")
        (staging / "manifest.json").write_text(json.dumps(asdict(self.manifest), indent=2))
        old = folder.with_name(folder.name + f".old-{os.getpid()}")
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(
        cls, folder: Path, embedder: Encoder, expected_hash: str | None = None
    ) -> KnowledgeIndex:
        """Load a saved index; IndexMismatch if it is stale, corrupt or from another model."""
        manifest = Manifest.read(folder)
        if manifest.version != INDEX_VERSION:
            raise IndexMismatch(f"index version {manifest.version}, expected {INDEX_VERSION}")
        if manifest.model != embedder.name or manifest.dimension != embedder.dimension:
            raise IndexMismatch(f"index built with {manifest.model}/{manifest.dimension}")
        if expected_hash is not None and manifest.content_hash != expected_hash:
            raise IndexMismatch("the documents changed since the index was built")
        try:
            passages = []
            with (folder / "passages.jsonl").open(encoding="utf-8") as lines:
                for line in lines:
                    data = json.loads(line)
                    for key in ("headings", "topics", "audience", "asked"):
                        data[key] = tuple(data[key])
                    passages.append(Passage(**data))
            vectors = np.load(folder / "vectors.npy", allow_pickle=False)
            sentences = np.load(folder / "sentences.npy", allow_pickle=False)
            starts = np.load(folder / "sentence_starts.npy", allow_pickle=False)
            asked_file = folder / "asked.npy"
            asked = np.load(asked_file, allow_pickle=False) if asked_file.exists() else None
            dense = faiss.read_index(str(folder / "dense.faiss"))
            lexical = Lexical.load(folder / "bm25")
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
            raise IndexMismatch(f"saved index is corrupt ({type(exc).__name__})") from None
        counts = {len(passages), len(vectors), dense.ntotal, lexical.count, manifest.count}
        if len(counts) != 1 or vectors.shape[1:] != (manifest.dimension,):
            raise IndexMismatch("saved index is corrupt (its parts disagree on the count)")
        if len(starts) != len(passages) + 1 or int(starts[-1]) != len(sentences):
            raise IndexMismatch("saved index is corrupt (its sentence vectors don't fit)")
        if (0 if asked is None else len(asked)) != sum(len(p.asked) for p in passages):
            raise IndexMismatch("saved index is corrupt (its asked questions don't fit)")
        if [len(prose_sentences(p.text)) for p in passages] != np.diff(starts).tolist():
            # the documents are the same, the way they are cut into sentences is not
            raise IndexMismatch("sentences are split differently since the index was built")
        return cls(passages, vectors, dense, lexical, embedder, manifest, sentences, starts, asked)

    # --- search --------------------------------------------------------------

    def allowed_rows(
        self,
        topics: Iterable[str] = (),
        audiences: Iterable[str] = (),
        languages: Iterable[str] = (),
    ) -> np.ndarray | None:
        """A 0/1 mask of passages in any of `topics`, any of `audiences` and any of
        `languages`."""
        topics, audiences, languages = list(topics), list(audiences), list(languages)
        if not topics and not audiences and not languages:
            return None
        mask = np.ones(len(self.passages), dtype=np.float32)
        for values, rows_by in (
            (topics, self._topic_rows),
            (audiences, self._audience_rows),
            (languages, self._language_rows),
        ):
            if values:
                keep = np.zeros(len(self.passages), dtype=np.float32)
                for value in values:
                    keep[rows_by.get(value, np.array([], dtype=np.int64))] = 1.0
                mask *= keep
        return mask

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        topics: Iterable[str] = (),
        audiences: Iterable[str] = (),
        boost_topics: Iterable[str] = (),
        boost_audiences: Iterable[str] = (),
        boost: float = 0.05,
        mode: Mode = "fused",
        vector: np.ndarray | None = None,
        kind_of: str | None = None,
        languages: Iterable[str] = (),
    ) -> list[Hit]:
        """The `k` best passages for `query`, best first.

        `topics`/`audiences`/`languages` restrict the search; `boost_*` only favour
        matching passages by `boost` on the fused score. `vector` is the
        query's embedding when the caller already has it. `kind_of` is the
        text whose question word counts (question_kind.py) when the query is
        more than the question: a follow-up joined with the one before it.
        Misspelt words are corrected first (spelling.py); the vector is then
        the corrected words'.
        """
        query = query.strip()[:MAX_QUERY_CHARS]
        if not query:
            raise SearchError("the query is empty")
        corrected = self.speller.correct(query)
        if corrected != query:
            query, vector = corrected, None
        k = max(1, min(int(k), len(self.passages)))
        mask = self.allowed_rows(topics, audiences, languages)
        if mask is not None and not mask.any():
            return []
        # BM25-only search needs no embedding of the query
        q = None
        if mode != "lexical":
            q = vector if vector is not None else self.embedder.encode_query(query)
        n = max(self.fusion.candidates, k)
        rows: set[int] = set()
        asked_best = None
        if q is not None:
            rows.update(self._dense_rows(q, n, mask))
            asked_best = self._asked_best(q)
            if asked_best is not None:  # sections whose questions match are candidates too
                top = np.argpartition(-asked_best, min(n, len(asked_best) - 1))[:n]
                rows.update(int(r) for r in top if asked_best[r] > -1.0)
        lexical = self.lexical.scores(query, mask) if mode in ("fused", "lexical") else None
        if lexical is not None:
            top = np.argpartition(-lexical, min(n, len(lexical) - 1))[:n]
            rows.update(int(r) for r in top if lexical[r] > 0)
        if mask is not None:
            rows = {r for r in rows if mask[r]}
        if not rows:
            return []
        order = np.fromiter(rows, dtype=np.int64)
        dense = self.vectors[order] @ q if q is not None else np.zeros(len(order), np.float32)
        if asked_best is not None:
            w = self.fusion.asked_weight
            best_asked = asked_best[order]
            dense = np.where(best_asked > -1.0, (1 - w) * dense + w * best_asked, dense)
        lex = lexical[order] if lexical is not None else np.zeros(len(order), np.float32)
        scores = self._fuse(dense, lex, lexical, mode)
        scores += self._boosts(order, boost_topics, boost_audiences, boost)
        kind = question_kind(query if kind_of is None else kind_of)
        if kind is not None and self.fusion.kind_bonus and mode == "fused":
            same = np.fromiter((self.heading_kinds[r] == kind for r in order), dtype=bool)
            scores += np.float32(self.fusion.kind_bonus) * same
        best = np.argsort(-scores, kind="stable")[:k]
        return [
            Hit(self.passages[order[i]], float(scores[i]), float(dense[i]), float(lex[i]))
            for i in best
        ]

    def _asked_best(self, q: np.ndarray) -> np.ndarray | None:
        """Per passage, the cosine of its closest asked question (-1.0 if it has none)."""
        if self.asked is None or not len(self.asked):
            return None
        best = np.full(len(self.passages), -1.0, dtype=np.float32)
        np.maximum.at(best, self.asked_rows, (self.asked @ q).astype(np.float32))
        return best

    def _dense_rows(self, q: np.ndarray, n: int, mask: np.ndarray | None) -> list[int]:
        params = None
        if mask is not None:
            selector = faiss.IDSelectorBatch(np.flatnonzero(mask))
            # faiss's stubs miss the keyword its SWIG constructor takes
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        _, ids = self.dense.search(q.reshape(1, -1), n, params=params)
        return [int(i) for i in ids[0] if i >= 0]  # faiss pads missing results with -1

    def _fuse(
        self, dense: np.ndarray, lex: np.ndarray, lexical_all: np.ndarray | None, mode: Mode
    ) -> np.ndarray:
        if mode == "dense":
            return dense.astype(np.float32)
        best = float(lexical_all.max()) if lexical_all is not None and len(lexical_all) else 0.0
        lex_norm = lex / max(best, self.fusion.bm25_floor)
        if mode == "lexical":
            return lex_norm.astype(np.float32)
        alpha = self.fusion.alpha
        return (alpha * dense + (1 - alpha) * lex_norm).astype(np.float32)

    def _boosts(
        self,
        order: np.ndarray,
        topics: Iterable[str],
        audiences: Iterable[str],
        boost: float,
    ) -> np.ndarray:
        extra = np.zeros(len(order), dtype=np.float32)
        for values, attr in ((set(topics), "topics"), (set(audiences), "audience")):
            if values:
                for i, row in enumerate(order):
                    if values & set(getattr(self.passages[row], attr)):
                        extra[i] += boost
        return extra

    def sentence_vectors(self, chunk_id: str) -> np.ndarray:
        """The vectors of a passage's sentences (answers.prose_sentences), in order."""
        row = self.by_id[chunk_id]
        return self.sentences[self.sentence_starts[row] : self.sentence_starts[row + 1]]

    def passage(self, chunk_id: str) -> Passage | None:
        row = self.by_id.get(chunk_id)
        return None if row is None else self.passages[row]

    def neighbours(self, chunk_id: str) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after `chunk_id` in the same document."""
        row = self.by_id.get(chunk_id)
        if row is None:
            return None, None
        doc = self.passages[row].doc_id
        before = self.passages[row - 1] if row > 0 else None
        after = self.passages[row + 1] if row + 1 < len(self.passages) else None
        return (
            before if before and before.doc_id == doc else None,
            after if after and after.doc_id == doc else None,
        )
