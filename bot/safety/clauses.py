"""A message split into clauses, and what it says once its questions are taken out.

People put a crisis beside an ordinary question: "how much do peers make?
not that it matters, I won't be here by Friday". Graded as a whole, the
question's words can outweigh the clause that matters. So the net's floor
reads each clause, and its model also reads the message's statements: every
clause but the ones that ask (they end with "?" or open with a question
word). What a message states about the past, someone else or work stays with
it, so a frame still explains what it frames; only the question goes.

A clause ends at a sentence's end, a line break or a dash, and a new one
starts before a word that turns the message ("but", "also", "btw", "anyway",
"pero", "también", "por cierto"...) or opens a condition ("if", "si"): the
word stays with its clause, so "if a client says ..." keeps its "if".
"""

from __future__ import annotations

import re

_BREAK = re.compile(r"[.!?;…]+(?=\s|$)|\n+|\s[-–—]+\s|\s*[–—]+\s*|\s--+\s")
_TURN = re.compile(
    r"[\s,]+(?=(?:but|also|btw|by\s+the\s+way|oh\s+and|and\s+also|anyway|anyways|though|"
    r"although|plus|honestly|pero|tambi[eé]n|adem[aá]s|por\s+cierto|aunque|igual\s+y|y\s+tambi[eé]n|"
    r"if|si)\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w']+")
_ASKS = re.compile(
    r"^\W*(what|what'?s|how|when|where|who|why|which|can|could|do|does|did|is|are|was|will|"
    r"would|should|may|am|any|anyone|cu[aá]nt[oa]s?|c[oó]mo|qu[eé]|d[oó]nde|cu[aá]ndo|"
    r"qui[eé]n|puedo|puede|hay|se\s+puede|es|son)\b",
    re.IGNORECASE,
)
MIN_WORDS = 2  # a clause of one word ("ok", "btw") says nothing on its own


def split(text: str, min_words: int = MIN_WORDS) -> list[str]:
    """The message's clauses in order, each of at least `min_words` words."""
    clauses: list[str] = []
    for sentence in _BREAK.split(text):
        for part in _TURN.split(sentence):
            part = part.strip(" ,:")
            if len(_WORD.findall(part)) >= min_words:
                clauses.append(part)
    return clauses


def asks(text: str, clause: str) -> bool:
    """Whether `clause` (one of `text`'s) is a question: it ends with "?" or opens with a
    question word."""
    at = text.find(clause)
    after = text[at + len(clause) : at + len(clause) + 2] if at >= 0 else ""
    return "?" in after or bool(_ASKS.match(clause))


def statements(text: str) -> str | None:
    """The message without its questions, or None when there is nothing to take out
    (no question, or nothing but questions)."""
    parts = split(text)
    kept = [part for part in parts if not asks(text, part)]
    return " ".join(kept) if kept and len(kept) < len(parts) else None
