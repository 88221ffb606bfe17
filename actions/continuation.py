""" "Tell me more", "go on", "what else", "the next one": the reading goes on in document
order.

Pure functions, so the order reads as a table:

1. the sentences of the section just shown that were left out of its short answer;
2. then the next section of the same article (the next item of the same list);
3. then, at the article's end, the next of the other good sections for the question.

After one item of a list ("the first priority"), "next one" is the next item, and
"tell me more" the sections that say more about that item (ordinals.py).

"Tell me more about the training" names its own subject: that is a new question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peerpath.search.lexical import tokens

_ASKS_MORE = re.compile(
    r"^\W*((can|could|would)\s+you\s+|please\s+|pls\s+)?"
    r"(tell\s+me|say|give\s+me|show\s+me|explain|talk|i\s+want\s+to\s+know|i'?d\s+like\s+to\s+know)?"
    r"\s*(a\s+(bit|little)\s+|some\s+|much\s+)?(more|further)"
    r"(\s+(info(rmation)?|details?))?\s+(about|on|of|regarding)\s+(?P<subject>.+?)\W*$",
    re.IGNORECASE,
)
_POINTING = frozenset({"that", "this", "it", "those", "these", "them", "one", "last", "above"})


def own_subject(text: str) -> str | None:
    """The subject "tell me more about X" names, when X is more than "that"."""
    match = _ASKS_MORE.match(text)
    if match is None:
        return None
    subject = match.group("subject")
    words = [w for w in tokens(subject) if w not in _POINTING]
    return subject if words else None


@dataclass(frozen=True)
class Next:
    """What "tell me more" shows: a section and which of its units."""

    chunk_id: str
    units: tuple[int, ...]
    rest_of_section: bool  # the same section, its sentences not shown yet


def next_part(
    last: str | None,
    shown: list[int],
    unit_count: int,
    next_section: str | None,
    next_section_units: int,
    queue: list[str],
    queue_units: dict[str, int],
    items: tuple[int, ...] = (),
    asked: str = "more",
) -> Next | None:
    """The next part to read, in document order (see the module's docstring).

    When what was shown is items of the section's list (`items`, e.g. "priority 7"
    asked by its place), `asked` (peerpath.continuing.reading) says how to go on: "next" is the
    next item alone, "on" the rest of the list, "more" the queue first: the sections
    that say more about that item."""
    if last is not None and shown and items and set(shown) <= set(items):
        later = tuple(i for i in items if i > max(shown))
        if asked == "next" and later:
            return Next(last, later[:1], True)
        if asked == "on" and later:
            return Next(last, later, True)
        if asked == "more":
            for chunk_id in queue:
                if chunk_id != last and chunk_id in queue_units:
                    return Next(chunk_id, tuple(range(queue_units[chunk_id])), False)
    if last is not None:
        left = tuple(i for i in range(unit_count) if i not in set(shown))
        if shown and left:
            return Next(last, left, True)
        if next_section is not None:
            return Next(next_section, tuple(range(next_section_units)), False)
    for chunk_id in queue:
        if chunk_id != last and chunk_id in queue_units:
            return Next(chunk_id, tuple(range(queue_units[chunk_id])), False)
    return None
