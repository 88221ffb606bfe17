"""BM25 keyword search (bm25s), with English stop words and stemming."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

TOKEN = re.compile(r"(?u)\b\w\w+\b")


@cache
def _stemmer() -> Any:  # PyStemmer has no type information
    import Stemmer

    return Stemmer.Stemmer("english")


# bm25s's own English list has 33 words; questions need their question words,
# pronouns and auxiliaries dropped too ("what do i need to..." -> "need").
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be been before being
    but by can could did do does doing for from had has have having he her here
    him his how i if in into is it its just me more most my no nor not now of
    on once only or other our out over own same she should so some such than
    that the their them then there these they this those through to too under
    until up us very was we were what when where which while who whom why will
    with would you your yours im ive id dont cant whats hows""".split()
)


def tokens(text: str) -> list[str]:
    """Lower-cased, stop words out, stemmed: 'Earnings of peers' -> ['earn', 'peer']."""
    stop = STOPWORDS
    return _stemmer().stemWords([t for t in TOKEN.findall(text.lower()) if t not in stop])


class Lexical:
    """A BM25 index over passages; scores for every passage at once."""

    def __init__(self, retriever: bm25s.BM25) -> None:
        self._bm25 = retriever

    @classmethod
    def build(cls, texts: Sequence[str]) -> Lexical:
        retriever = bm25s.BM25()
        retriever.index([tokens(t) for t in texts], show_progress=False)
        return cls(retriever)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> Lexical:
        return cls(bm25s.BM25.load(str(folder), show_progress=False))

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every passage for `query` (0 where `mask` is 0)."""
        vocab = self._bm25.vocab_dict
        query_tokens = [t for t in tokens(query) if t in vocab]
        if not query_tokens:
            return np.zeros(self.count, dtype=np.float32)
        return self._bm25.get_scores(query_tokens, weight_mask=mask).astype(np.float32)

    @property
    def count(self) -> int:
        return int(self._bm25.scores["num_docs"])
