"""Short extractive answers: the one to three sentences of a passage that answer.

No generative model: every word shown comes from the passage, so an answer
is always traceable to its source.
"""

from __future__ import annotations

import re

import numpy as np

from peerpath.search.chunking import Passage

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(]?[A-Z0-9$])")
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
MAX_SENTENCES = 3
MAX_WORDS = 75
MAX_LIST_ITEMS = 14


def units(text: str) -> list[str]:
    """A passage as sentences, keeping list items (one per line) whole."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if LIST_ITEM.match(line):
            out.append(line)
        else:
            out.extend(s.strip() for s in SENTENCE_END.split(line) if s.strip())
    return out


def _words(items: list[str]) -> int:
    return sum(len(item.split()) for item in items)


def prose_sentences(text: str) -> list[str]:
    """A passage's sentences that are not list items: what short_answer picks from.

    Their vectors are computed when the index is built and saved with it.
    """
    return [part for part in units(text) if not LIST_ITEM.match(part)]


def short_answer(passage: Passage, query_vector: np.ndarray, sentence_vectors: np.ndarray) -> str:
    """The passage's lead sentence plus the sentence closest to the question.

    Knowledge articles open each section with its direct answer; for other
    documents (PDFs, raw text) the sentence most like the question matters
    more, so both are kept, in document order, within three sentences. A
    sentence that introduces a list (ends with ':') brings its list along.
    """
    parts = units(passage.text)
    if not parts:
        return passage.text.strip()
    prose = [i for i, part in enumerate(parts) if not LIST_ITEM.match(part)]
    chosen: list[int] = [prose[0]] if prose else [0]
    if len(prose) > 1:
        best = prose[int(np.argmax(sentence_vectors @ query_vector))]
        if best not in chosen:
            chosen.append(best)
    # Fill up with following sentences while short, to read as a whole thought.
    nxt = chosen[0] + 1
    while (
        len(chosen) < MAX_SENTENCES
        and nxt < len(parts)
        and not LIST_ITEM.match(parts[nxt])
        and _words([parts[i] for i in chosen] + [parts[nxt]]) <= MAX_WORDS
    ):
        if nxt not in chosen:
            chosen.append(nxt)
        nxt += 1
    chosen = sorted(set(chosen))[:MAX_SENTENCES]
    lines = []
    for index in chosen:
        lines.append(parts[index])
        if parts[index].endswith(":"):
            items = []
            for follower in parts[index + 1 :]:
                if not LIST_ITEM.match(follower) or len(items) >= MAX_LIST_ITEMS:
                    break
                items.append(follower)
            lines.extend(items)
    text = " ".join(line for line in lines if not LIST_ITEM.match(line))
    items = [line for line in lines if LIST_ITEM.match(line)]
    if items:
        lead = [line for line in lines if not LIST_ITEM.match(line)]
        return "\n".join([" ".join(lead), *items])
    return text
