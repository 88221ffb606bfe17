"""A correction of what the person asked before: "no, i meant vermont", "sorry, typo:
wages", "perdón, quise decir ssdi".

Recognised in Rasa's NLU (rasa_addons/correction.py, so the turn is answered as a
question whatever intent the classifier guessed) and read in the action server
(actions/followups.corrected, which puts the correction into the last question).
"""

from __future__ import annotations

import re

CORRECTION = re.compile(
    r"^\W*((no|nope|nah|sorry|oops|wait|actually|perd[oó]n|disculpa|ay|no\s+no)\b[\s,.!:;-]*)*"
    r"(i\s+meant(\s+to\s+(say|ask|write)(\s+about)?)?|i\s+mean|typo|correction|"
    r"what\s+i\s+meant\s+(was|is)|quise\s+decir|quer[ií]a\s+decir|me\s+equivoqu[eé]|"
    r"error\s+de\s+dedo|corrijo|me\s+refer[ií]a\s+a)\b[\s,.!:;-]*(?P<fix>.+?)\W*$",
    re.IGNORECASE,
)


def correction(text: str) -> str | None:
    """What a correction puts right ("vermont" in "no, i meant vermont"), or None."""
    match = CORRECTION.match(text)
    return match.group("fix").strip() if match else None
