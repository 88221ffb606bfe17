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
    # one marker or several ("sorry typo, i meant budget")
    r"((i\s+meant(\s+to\s+(say|ask|write)(\s+about)?)?|i\s+mean|typo|correction|"
    r"what\s+i\s+meant\s+(was|is)|quise\s+decir|quer[ií]a\s+decir|me\s+equivoqu[eé]|"
    r"error\s+de\s+dedo|corrijo|me\s+refer[ií]a\s+a)\b[\s,.!:;-]*)+(?P<fix>.+?)\W*$",
    re.IGNORECASE,
)
# "not MH only, SUD only", "not employers but supervisors": the same number of words on
# each side, so "not now, thanks" is no correction
NOT_THIS_THAT = re.compile(
    r"^\W*(no[,.]?\s+)?not\s+(?P<wrong>[^,;]+?)\s*(,|;|\bbut\b)\s*(but\s+)?(?P<fix>[^,;]+?)\W*$",
    re.IGNORECASE,
)
_COURTESY = frozenset({"thanks", "thank you", "please", "ok", "okay", "sure", "yet", "now", "no",
                       "maybe", "really", "exactly", "quite", "much", "that", "this", "bad",
                       "good", "great", "yes", "idk", "lol"})  # fmt: skip


def correction(text: str) -> str | None:
    """What a correction puts right ("vermont" in "no, i meant vermont"), or None. "not
    X, Y" reads as "Y, not X" (actions/followups.corrected swaps X for Y)."""
    match = CORRECTION.match(text)
    if match:
        return match.group("fix").strip()
    swap = NOT_THIS_THAT.match(text)
    if swap is None:
        return None
    wrong, fix = swap.group("wrong").strip(), swap.group("fix").strip()
    if {fix.lower(), wrong.lower()} & _COURTESY or len(wrong.split()) != len(fix.split()):
        return None
    return f"{fix} not {wrong}"
