"""Reading people's short answers to form questions (pure functions).

Every function takes what was typed (or a button's value) and returns a
canonical value, or None when the answer isn't clear, so the form can ask
again with buttons instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
ANYWHERE = "anywhere"


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def _has(text: str, phrases: Iterable[str]) -> bool:
    words = _words(text)
    return any(f" {phrase} " in words for phrase in phrases)


def benefit_program(value: str | list[str] | None) -> str | None:
    """SSI, SSDI, both, other or not_sure; None if it can't be told."""
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    found: set[str] = set()
    for item in values:
        text = str(item)
        if text in {"SSI", "SSDI", "both", "other", "not_sure"}:
            found.add(text)
            continue
        if _has(text, ["both", "ssi and ssdi", "ssdi and ssi"]):
            found.add("both")
        if _has(text, ["ssi", "supplemental security income", "supplemental security"]):
            found.add("SSI")
        if _has(text, ["ssdi", "social security disability", "disability insurance", "sdi"]):
            found.add("SSDI")
        if _has(text, ["not sure", "dont know", "don t know", "unsure", "no idea", "idk"]):
            found.add("not_sure")
        if text in {"Medicaid", "Medicare"} or _has(
            text, ["medicaid", "medicare", "other", "something else", "none", "va", "snap"]
        ):
            found.add("other")
    if "both" in found or {"SSI", "SSDI"} <= found:
        return "both"
    for choice in ("SSI", "SSDI", "not_sure", "other"):
        if choice in found:
            return choice
    return None


def work_status(value: str | None) -> str | None:
    """working, considering, more_hours or not_working; None if unclear."""
    if not value:
        return None
    if value in {"working", "considering", "more_hours", "not_working"}:
        return value
    if _has(value, ["more hours", "extra hours", "full time", "increase my hours", "more shifts"]):
        return "more_hours"
    if _has(value, ["not working", "don t work", "dont work", "unemployed", "no job",
                    "not right now", "between jobs"]):  # fmt: skip
        return "not_working"
    if _has(value, ["thinking", "considering", "offer", "looking", "want a job", "apply",
                    "applying", "maybe", "planning", "job offer", "start a job"]):  # fmt: skip
        return "considering"
    if _has(value, ["working", "i work", "employed", "have a job", "part time", "i do"]):
        return "working"
    return None


def us_state(value: str | None) -> str | None:
    """A state's full name, 'anywhere' (online/national/skip), or None."""
    if not value:
        return None
    raw = value.strip()
    if raw in STATES.values():
        return raw
    if _has(raw, ["anywhere", "online", "national", "any", "skip", "doesn t matter",
                  "does not matter", "nationwide", "virtual"]):  # fmt: skip
        return ANYWHERE
    words = _words(raw)
    for name in sorted(STATES.values(), key=len, reverse=True):
        if f" {name.lower()} " in words:
            return name
    # Two-letter codes only when written in capitals or as the whole answer ("vt"),
    # so words like "in", "me" or "or" are never taken for states.
    tokens = re.findall(r"[A-Za-z]+", raw)
    for token in tokens:
        if token.upper() in STATES and (token.isupper() or len(tokens) == 1):
            return STATES[token.upper()]
    return None


TRAINING_TOPICS = {
    "certification": ["certification", "certified", "certify", "credential", "peer specialist",
                      "cps", "ceu", "ceus"],
    "wrap": ["wrap", "wellness recovery action plan"],
    "intentional_peer_support": ["intentional peer support", "intentional"],
    "supervision": ["supervision", "supervisor", "supervising", "leadership", "management"],
    "telehealth": ["telehealth", "tech", "technology", "virtual support", "video", "digital"],
    "wellness": ["wellness", "self care", "burnout", "8 dimensions", "eight dimensions"],
    "any": ["any", "anything", "all", "not sure", "whatever", "no preference", "skip"],
}  # fmt: skip


def training_topic(value: str | None) -> str | None:
    """One of TRAINING_TOPICS' keys, or None."""
    if not value:
        return None
    if value in TRAINING_TOPICS:
        return value
    for topic, phrases in TRAINING_TOPICS.items():
        if _has(value, phrases):
            return topic
    return None


def training_format(value: str | None) -> str | None:
    """online, in_person or either; None if unclear."""
    if not value:
        return None
    if value in {"online", "in_person", "either"}:
        return value
    online = _has(value, ["online", "virtual", "zoom", "remote", "from home", "internet"])
    in_person = _has(value, ["in person", "inperson", "face to face", "on site", "local",
                             "in a room", "class room", "classroom"])  # fmt: skip
    if (online and in_person) or _has(value, ["either", "both", "any", "doesn t matter",
                                               "no preference", "whatever"]):  # fmt: skip
        return "either"
    if online:
        return "online"
    if in_person:
        return "in_person"
    return None


HANDOFF_TOPICS = {
    "benefits": ["benefit", "benefits", "ssi", "ssdi", "medicaid", "medicare", "disability"],
    "work": ["job", "jobs", "work", "career", "interview", "resume", "hired", "employment"],
    "training": ["training", "certification", "wrap", "class", "course"],
    "talk": ["talk", "listen", "lonely", "someone", "chat", "support"],
}


def handoff_topic(value: str | None) -> str:
    """A coarse category for the staff queue; the words themselves are not kept."""
    if not value:
        return "other"
    if value in {*HANDOFF_TOPICS, "other"}:
        return value
    for topic, words in HANDOFF_TOPICS.items():
        if _has(value, words):
            return topic
    return "other"
