"""Packing a document's blocks into passages the embedding model can read.

all-MiniLM-L6-v2 reads at most 256 word pieces, so a passage keeps to about
170 words (its title and heading are read with it). Sections are never
merged across headings, so each passage answers under one heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from peerpath.search.documents import Block, Document

MAX_WORDS = 170
# The model's word pieces are English ones: a Spanish word takes about 2.4 of them
# (an English one 1.5), so a Spanish passage holds fewer words in the same 256 pieces.
MAX_WORDS_BY_LANGUAGE = {"en": MAX_WORDS, "es": 80}
MIN_WORDS = 4
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(]?[A-Z0-9])")


@dataclass(frozen=True)
class Passage:
    """A searchable piece of a document, with where it came from."""

    chunk_id: str
    doc_id: str
    title: str
    headings: tuple[str, ...]
    text: str
    topics: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()  # questions people might ask that it answers (asked.py)
    lang: str = "en"  # the document's language (front matter `lang:`), "en" or "es"
    # A document as it came (a coalition's report or page, no article front matter citing
    # its sources): answers quote its words under its own title.
    quoted: bool = False

    @property
    def heading(self) -> str:
        return self.headings[-1] if self.headings else ""

    @property
    def anchor(self) -> str:
        return self.chunk_id.partition("#")[2]

    def embedding_text(self) -> str:
        """What the model reads: title and heading give a passage its context."""
        return ". ".join(part for part in (self.title, self.heading, self.text) if part)

    def keyword_text(self) -> str:
        """What keyword search reads: the embedding text and the questions it answers."""
        return " ".join((self.embedding_text(), *self.asked))


def slug(text: str) -> str:
    """A URL-safe, stable anchor for a heading."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value[:80].rstrip("-") or "section"


def words(text: str) -> int:
    return len(text.split())


def split_long(text: str, limit: int = MAX_WORDS) -> Iterator[str]:
    """Split an over-long paragraph at sentence ends (or, failing that, words)."""
    piece: list[str] = []
    for sentence in SENTENCE_END.split(text):
        for part in _hard_wrap(sentence, limit):
            if piece and words(" ".join([*piece, part])) > limit:
                yield " ".join(piece)
                piece = []
            piece.append(part)
    if piece:
        yield " ".join(piece)


def _hard_wrap(sentence: str, limit: int) -> Iterator[str]:
    tokens = sentence.split()
    for start in range(0, len(tokens), limit):
        yield " ".join(tokens[start : start + limit])


def sections(blocks: list[Block]) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """Consecutive blocks under the same heading path, grouped."""
    current: tuple[str, ...] | None = None
    texts: list[str] = []
    for block in blocks:
        if block.headings != current:
            if current is not None and texts:
                yield current, texts
            current, texts = block.headings, []
        texts.append(block.text)
    if current is not None and texts:
        yield current, texts


def pack(texts: list[str], limit: int = MAX_WORDS) -> Iterator[str]:
    """Paragraphs packed greedily into passages of at most `limit` words."""
    piece: list[str] = []
    for text in texts:
        for part in split_long(text, limit) if words(text) > limit else [text]:
            if piece and words("\n".join([*piece, part])) > limit:
                yield "\n".join(piece)
                piece = []
            piece.append(part)
    if piece:
        yield "\n".join(piece)


def chunk(document: Document) -> list[Passage]:
    """Every passage of `document`, with ids stable while headings stay the same."""
    passages: list[Passage] = []
    used: dict[str, int] = {}
    for headings, texts in sections(document.blocks):
        base = slug(headings[-1]) if headings else "intro"
        used[base] = used.get(base, 0) + 1
        if used[base] > 1:
            base = f"{base}-{used[base]}"
        lang = str(document.meta.get("lang") or "en")
        limit = MAX_WORDS_BY_LANGUAGE.get(lang, MAX_WORDS)
        parts = [p for p in pack(texts, limit) if words(p) >= MIN_WORDS]
        for number, text in enumerate(parts, start=1):
            anchor = base if number == 1 else f"{base}--{number}"
            passages.append(
                Passage(
                    chunk_id=f"{document.doc_id}#{anchor}",
                    doc_id=document.doc_id,
                    title=document.title,
                    headings=headings,
                    text=text,
                    topics=document.topics,
                    audience=document.audience,
                    lang=lang,
                    quoted=not document.sources,
                )
            )
    return passages
