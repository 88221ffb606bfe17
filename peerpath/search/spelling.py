"""Typo repair for search queries, against the knowledge base's own words.

People type "peer specialist salery", "tickit to work", "apprenticships".
BM25 finds nothing for a misspelt word and the embedding model splits it into
meaningless pieces, so one typo can send a question to the wrong section.

A word is left alone when it is known: in the knowledge base, a whole word
of the embedding model's vocabulary (about 22,000 common English words), in
the system's English word list (Debian's wamerican, about 100,000 words with
their plurals and inflections: "petitioners", "untrained", "calories"), or
short (three letters or fewer, where a guess is more likely wrong than right).
An unknown word becomes the word closest to it by edit distance
(Damerau-Levenshtein: insert, delete, replace, swap two neighbours): a
knowledge-base word at most one edit away for words of up to six letters, two
for longer ones, or a model vocabulary word one edit away ("actualy"); at the
same distance a knowledge-base word wins, then the commonest. Knowledge-base
candidates are found with symmetric deletes (SymSpell): every word's forms
with up to two letters deleted point back to it. Vocabulary candidates are the
unknown word's own one-edit variants that the vocabulary has, so the 22,000
words need no index built at start-up.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from itertools import combinations
from pathlib import Path

logger = logging.getLogger(__name__)

WORD = re.compile(r"[a-z]+")
_MIN_LETTERS = 4
_LONG_WORD = 7  # from this length two edits are allowed
# How people write in chat ("dont" is not "done"), and everyday words the word
# list lacks ("hotline" is not "online"): known words, not typos to repair.
CHAT_WORDS = frozenset(
    """dont cant wont im ive id ill whats hows thats isnt doesnt didnt wasnt arent
    werent havent hasnt shouldnt wouldnt couldnt youre theyre yall lets okay thanks
    thx pls plz gonna wanna gotta kinda sorta yeah yes nope hotline hotlines helpline
    textline warmline warmlines email emails app apps website websites smartphone
    wifi zoom""".split()
)


def _deletes(word: str, edits: int) -> set[str]:
    """`word` with up to `edits` letters taken out (including none)."""
    forms = {word}
    for n in range(1, min(edits, len(word) - 1) + 1):
        for drop in combinations(range(len(word)), n):
            forms.add("".join(c for i, c in enumerate(word) if i not in drop))
    return forms


def _one_edit(word: str) -> set[str]:
    """Every string one insert, delete, replace or neighbour swap away from `word`."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    )


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


@cache
def word_list(path: Path) -> frozenset[str]:
    """The lower-case words of a word-per-line file; empty (and a warning) if unreadable."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split()
    except OSError as exc:
        logger.warning("search.word_list_missing path=%s error=%s", path, type(exc).__name__)
        return frozenset()
    return frozenset(word.lower() for word in lines if word.isalpha())


def allowed_edits(word: str) -> int:
    return 2 if len(word) >= _LONG_WORD else 1


class Speller:
    """Corrects unknown words to the closest word of a corpus."""

    def __init__(
        self, corpus: Iterable[str], vocabulary: Iterable[str] = (), dictionary: Iterable[str] = ()
    ) -> None:
        """`vocabulary`: known words that may also be corrections (one edit away);
        `dictionary`: known words that are only ever left alone."""
        self.counts: Counter[str] = Counter()
        for text in corpus:
            self.counts.update(WORD.findall(text.lower()))
        self.vocabulary = frozenset(vocabulary)
        self.known = self.vocabulary | frozenset(dictionary) | frozenset(self.counts) | CHAT_WORDS
        self._corpus = self._by_delete(self.counts, 2)

    @staticmethod
    def _by_delete(words: Iterable[str], edits: int) -> dict[str, list[str]]:
        """Each word's forms with up to `edits` letters deleted, pointing back to it."""
        index: dict[str, list[str]] = {}
        for word in words:
            if len(word) >= _MIN_LETTERS - 1:
                for form in _deletes(word, edits):
                    index.setdefault(form, []).append(word)
        return index

    def word(self, word: str) -> str:
        """The correction of one lower-case word, or the word itself."""
        if len(word) < _MIN_LETTERS or word in self.known:
            return word
        edits = allowed_edits(word)
        candidates = {(c, edits) for f in _deletes(word, edits) for c in self._corpus.get(f, ())}
        candidates |= {(c, 1) for c in _one_edit(word) if c in self.vocabulary}
        best: tuple[int, bool, int, str] | None = None
        for candidate, allowed in candidates:
            d = distance(word, candidate)
            key = (d, candidate not in self.counts, -self.counts[candidate], candidate)
            if d <= allowed and (best is None or key < best):
                best = key
        return best[3] if best else word

    def correct(self, text: str) -> str:
        """`text` with its unknown words corrected; unchanged when nothing needs it."""
        lowered = text.lower()
        pieces: list[str] = []
        end = 0
        changed = False
        for match in WORD.finditer(lowered):
            fixed = self.word(match.group())
            if fixed != match.group():
                pieces.append(text[end : match.start()] + fixed)
                end = match.end()
                changed = True
        if not changed:
            return text
        return "".join(pieces) + text[end:]
