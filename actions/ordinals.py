""" "Priority 7", "the first concern", "competency number 3": one item of a numbered list.

A person who names an item by its place in a list wants that item, not the
section search ranks best for the words ("what is priority 3 about?" reads
much like "are the priorities ranked?"). Pure functions over text, so the
rules read as a table:

- `ordinal_asked` finds the place and the noun: "the first priority" (1,
  "priority"), "priority 7" (7, "priority"), "the last step" (-1, "step").
- `list_items` is a passage's list items, in order (numbered or bulleted).
- `names_list` says whether a section's heading or the line that opens its
  list names that noun ("What are the Top Ten Priorities?" names "priority").

Nothing here decides by a fixed list of nouns: a place and a noun that no list
in the knowledge base answers to is no ordinal question, and is searched as
usual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from peerpath.search.answers import LIST_ITEM, units
from peerpath.search.chunking import Passage
from peerpath.search.index import Hit

_PLACES = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "last": -1, "final": -1,
    "primera": 1, "primer": 1, "primero": 1, "segunda": 2, "segundo": 2, "tercera": 3,
    "tercer": 3, "tercero": 3, "cuarta": 4, "cuarto": 4, "quinta": 5, "quinto": 5,
    "última": -1, "ultima": -1, "último": -1, "ultimo": -1,
}  # fmt: skip
_PLACE_WORD = "|".join(sorted(_PLACES, key=len, reverse=True))
_NOUN = r"(?P<noun>[a-záéíóúñ]{3,}(?:\s+[a-záéíóúñ]{3,})?)"
_BY_WORD = re.compile(
    rf"\b(?P<place>{_PLACE_WORD}|\d{{1,2}}(st|nd|rd|th))\s+(?:(?:one|of\s+the)\s+)?{_NOUN}",
    re.IGNORECASE,
)
_BY_NUMBER = re.compile(
    rf"\b{_NOUN}\s*(?:#|no\.?|number|n[uú]mero)?\s*(?P<number>\d{{1,2}})\b"
    r"(?![.,]?\d|\s*%|\s*(years?|hours?|weeks?|months?|days?|percent|an\s+hour)\b)",
    re.IGNORECASE,
)
# words that come between a place and the noun without being the noun
_NOT_NOUNS = frozenset({"the", "time", "thing", "things", "one", "few", "two", "and", "year",
                        "years", "day", "days", "week", "weeks", "month", "months", "hour",
                        "hours", "job", "step", "what", "about", "for", "please",
                        "thank", "tell", "give", "show", "walk", "through", "each", "again",
                        "then", "that", "this", "with", "from"})  # fmt: skip
_QUIET_NOUNS = frozenset({"top", "core", "main", "key", "big", "most", "very", "new", "ten",
                          "twelve", "three", "four", "five", "six", "seven", "eight", "nine",
                          "listed", "named", "numbered", "recommended"})  # fmt: skip


@dataclass(frozen=True)
class Ordinal:
    place: int  # 1-based; -1 is the last
    nouns: tuple[str, ...]  # singular, lower case: ("priority",), ("competency",)


def singular(word: str) -> str:
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _place(text: str) -> int:
    text = text.lower()
    if text in _PLACES:
        return _PLACES[text]
    return int(re.sub(r"\D", "", text))


def _nouns(said: str) -> tuple[str, ...]:
    """The words that may name the list: "core competencies" -> ("competency",)."""
    words = [singular(w) for w in said.lower().split() if w not in _QUIET_NOUNS]
    return tuple(w for w in words if len(w) >= 4 and w not in _NOT_NOUNS)


# "#1", "number 3", "the second one": a place whose noun is elsewhere in the message
# ("walk me through the priorities one at a time. whats #1?")
_BARE = re.compile(
    rf"(?:#\s*|\bnumber\s+|\bno\.\s*)(?P<number>\d{{1,2}})\b|"
    rf"\bthe\s+(?P<place>{_PLACE_WORD})\s+one\b",
    re.IGNORECASE,
)


def ordinal_asked(text: str) -> Ordinal | None:
    """The place and the noun of a list item `text` asks for, or None."""
    for pattern in (_BY_WORD, _BY_NUMBER):
        for match in pattern.finditer(text):
            groups = match.groupdict()
            place = _place(groups.get("place") or groups.get("number") or "0")
            nouns = _nouns(match.group("noun"))
            if place == 0 or place > 30 or not nouns:
                continue
            return Ordinal(place, nouns)
    bare = _BARE.search(text)
    if bare is not None:
        place = _place(bare.group("place") or bare.group("number") or "0")
        nouns = _nouns(re.sub(r"[^\w\s]", " ", text[: bare.start()] + " " + text[bare.end() :]))
        if 0 < place <= 30 and nouns:
            return Ordinal(place, nouns)
    return None


def list_items(text: str) -> list[int]:
    """The unit indices (answers.units) of a passage's first list, in order."""
    parts = units(text)
    items: list[int] = []
    for i, part in enumerate(parts):
        if LIST_ITEM.match(part):
            items.append(i)
        elif items:
            break
    return items


def _stems(text: str) -> set[str]:
    return {singular(word) for word in re.findall(r"[a-záéíóúñ]+", text.lower())}


def names_list(heading: str, text: str, nouns: tuple[str, ...]) -> bool:
    """Whether the section's heading, or the line that opens its list, names one of
    `nouns`."""
    parts = units(text)
    items = list_items(text)
    opening = parts[items[0] - 1] if items and items[0] > 0 else ""
    return bool(set(nouns) & (_stems(heading) | _stems(opening)))


def pick(items: list[int], place: int) -> int | None:
    """The unit index of the item at `place` (1-based, -1 the last), if the list has it."""
    if place == -1:
        return items[-1] if items else None
    return items[place - 1] if 0 < place <= len(items) else None


def list_answer(
    passages: Iterable[Passage], hits: list[Hit], ordinal: Ordinal, languages: Iterable[str]
) -> tuple[Passage, int] | None:
    """The section whose list names the noun and has the place, and the unit index of
    that item: of several such sections, the one search ranks first for the question
    (`hits`); one alone is taken wherever search ranked it."""
    wanted = set(languages)
    named: dict[str, tuple[Passage, int]] = {}
    for passage in passages:
        if passage.lang not in wanted:
            continue
        unit = pick(list_items(passage.text), ordinal.place)
        if unit is not None and names_list(passage.heading or "", passage.text, ordinal.nouns):
            named[passage.chunk_id] = (passage, unit)
    for hit in hits:
        if hit.passage.chunk_id in named:
            return named[hit.passage.chunk_id]
    return next(iter(named.values())) if len(named) == 1 else None
