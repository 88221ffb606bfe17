"""Asking the assistant to go on: "next one", "keep going", "and after that?", "sigue".

Read by the NLU (rasa_addons/continuation.py: such a message is `tell_me_more`,
whatever the classifier guessed: "ok next one" once read as a goodbye) and by the
actions (after one item of a list, "next" is the next item, "keep going" the rest).
"""

from __future__ import annotations

import re

# one step on: "next one", "and?", "what comes after that", "la siguiente"
_STEP = re.compile(
    r"\b(next|after\s+(that|this|it|those)|the\s+one\s+after|following|then\s+what|"
    r"siguiente|despu[eé]s)\b|^\W*(and|y)\W*$",
    re.IGNORECASE,
)
# reading on: "keep going", "go on", "what else", "the rest", "sigue"
_ON = re.compile(
    r"\b(keep\s+going|go(\s+on|\s+ahead)|continue|carry\s+on|what\s+else|the\s+rest|"
    r"others?|more\s+of\s+them|sigue|contin[uú]a|qu[eé]\s+m[aá]s|los\s+dem[aá]s)\b",
    re.IGNORECASE,
)
# a whole message that only asks to go on (a few words, nothing of its own)
_ONLY = re.compile(
    r"^\W*((ok(ay)?|so|and|then|alright|right|cool|great|thanks|y|vale|bueno|ok\s+and)\W+)*"
    r"((what'?s|whats|what\s+is|what\s+comes|give\s+me|show\s+me|tell\s+me|and)\s+)?"
    r"(the\s+|la\s+|el\s+)?(next(\s+one)?|after\s+that|the\s+one\s+after(\s+that)?|"
    r"keep\s+going|go\s+on|continue|carry\s+on|siguiente|sigue|contin[uú]a|"
    r"y\s+(despu[eé]s|luego))"
    r"(\s+(please|pls|plz|por\s+favor))?\W*$",
    re.IGNORECASE,
)


def reading(text: str) -> str:
    """What a request to go on asks: "next" (one step), "on" (the rest) or "more"."""
    if _STEP.search(text):
        return "next"
    if _ON.search(text):
        return "on"
    return "more"


def goes_on(text: str) -> bool:
    """Whether the whole message only asks to go on ("ok next one", "keep going")."""
    return bool(_ONLY.match(text))
