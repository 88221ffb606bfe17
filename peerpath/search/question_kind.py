"""What kind of answer a question asks for, read from its question word.

Our section headings are questions ("Who should supervise peer specialists?",
"Where did the Top Ten Priorities come from?"), so a section whose heading
asks the same kind of question as the person ("who is supposed to be
supervising us peers") is more likely the one that answers: search favours it
slightly (FusionParams.kind_bonus), enough to settle near-ties between sibling
sections, never enough to lift an unrelated one. A statement or a bare phrase
("peer specialist salary") has no kind and changes nothing.
"""

from __future__ import annotations

import re

Kind = str  # "what", "who", "when", "where", "why", "how", "how much", "yes/no"

_WH = re.compile(
    r"\b(what|whats|which|who|whos|whom|whose|when|whens|where|wheres|why|"
    r"how(?:\s+(?:much|many|long|often|old))?)\b"
)
# a yes/no question: an auxiliary verb opens it ("can peers get promoted?")
_YES_NO = re.compile(
    r"^\W*(can|could|is|are|was|were|do|does|did|should|will|would|may|must|has|have)\b"
)
_SAME = {"whats": "what", "which": "what", "whos": "who", "whom": "who", "whose": "who",
         "whens": "when", "wheres": "where"}  # fmt: skip


def question_kind(text: str) -> Kind | None:
    """The kind of the first question word in `text`, or None if it asks none."""
    lowered = text.lower().replace("\u2019", "'").replace("'s", "s").replace("'", "")
    found = _WH.search(lowered)
    if found:
        word = found.group(1)
        if word.startswith("how "):
            return "how much"  # how many / long / often / old: all ask for a number
        return _SAME.get(word, word)
    return "yes/no" if _YES_NO.search(lowered) else None
