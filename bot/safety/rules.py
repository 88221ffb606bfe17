"""The floor under the learned model: phrases that mean one thing, in English and Spanish.

The model carries the weight (model.py). These patterns only catch what has
a single meaning wherever it appears in a clause of its own:

- PRESENT_RISK: a person saying, in the first person, that they are about to
  end their life ("I'm going to kill myself", "me voy a matar");
- IDEATION: a person saying, in the first person and the present, that they
  wish they were dead, think of killing themselves, are suicidal, are not
  safe or scared of what they will do, or are in crisis; and "suicide" typed
  alone, however it is spelled;
- EMERGENCY: a life in danger this minute ("not breathing", "overdosing",
  "took all my pills", "no respira"): 911 first.

Neither fires in a clause that reports or supposes ("if a client says I'm
going to kill myself...", "what should staff do when someone isn't
breathing"): there the words may belong to a story, training or a
question, and the model decides. A pattern is added here only for a phrase
with one meaning, never for one message; everything else is the corpus's
job (data/safety/).
"""

from __future__ import annotations

import re
import unicodedata


def normalize(text: str) -> str:
    """Lower case, plain apostrophes, accents kept (Spanish), collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"[^\w'.,!?¿¡\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_I = r"(i'?m|im|i\s+am|i'?ve|i\s+have|i)"
_ABOUT_TO = r"(going\s+to|gonna|about\s+to|ready\s+to|planning\s+to|decided\s+to)"
_END = r"(kill\s+myself|end\s+my\s+life|end\s+it\s+all|take\s+my\s+(own\s+)?life|unalive\s+myself)"

PRESENT_RISK = _any(
    [
        rf"\b{_I}\s+(really\s+|finally\s+|just\s+)?{_ABOUT_TO}\s+{_END}\b",
        r"\b(want\s+to|wanna)\s+kill\s+myself\b",
        r"\b(i\s+want\s+to|i\s+wanna)\s+die\s+(tonight|right\s+now|today|now)\b",
        r"\bthis\s+is\s+(my\s+)?goodbye\b",
        r"\b(me\s+voy\s+a|voy\s+a)\s+(matar|suicidar|quitar\s+la\s+vida)\b",
        r"\b(me\s+quiero|quiero)\s+(matar|suicidar|morir)(me)?\b"
        r"(?!\s+de\s+(la\s+)?(pena|risa|verg[uü]enza|hambre|sue[nñ]o|ganas|calor|fr[ií]o|"
        r"aburrimiento|amor|nervios))",
        # "kill myself" in texting slang, not in a past attempt ("tried to kms at 19")
        r"(?<!tried\sto\s)(?<!used\sto\s)(?<!wanted\sto\s)\bkms\b",
        # said alone: "kill myself", "me mato"
        r"^\W*(i\s+)?(want\s+to\s+|wanna\s+|gonna\s+|going\s+to\s+)?kill\s+myself\W*$",
        r"^\W*(ya\s+)?me\s+mato\W*$",
        r"\bya\s+no\s+quiero\s+(vivir|seguir\s+viviendo)\b",
    ]
)

_NOW = (
    r"(all\s+the\s+time|a\s+lot|every\s*day|nonstop|non-stop|constantly|lately|again|"
    r"right\s+now|rn|tonight|today)"
)

IDEATION = _any(
    [
        r"\b(i\s+)?(just\s+|really\s+|honestly\s+)?(wish|want|wanna)\s+(i\s+)?(was|were|to\s+be|be)\s+dead\b",
        r"\b(i'?d|i\s+would)\s+be\s+better\s+off\s+dead\b(?!\s+than)",
        r"\b(i|i'?m\s+the\s+one\s+(who|that))\s+(really\s+|just\s+|still\s+|honestly\s+)?"
        r"(want|wants|wanna)\s+(to\s+)?die\b",
        r"\b(i'?m|im|i\s+am|i\s+feel|feeling)\s+(so\s+|really\s+|very\s+)?suicidal\b",
        rf"\b{_I}\s+(keep\s+|been\s+|have\s+been\s+|'ve\s+been\s+)?(think|thinking|thinkin)\s+"
        rf"(about|abt|of)\s+(suicide|killing\s+myself|dying|ending\s+(it|my\s+life))\s+{_NOW}",
        r"\b(i'?m|im|i\s+am)\s+(seriously\s+|really\s+)?(thinking|thinkin)\s+(about|abt|of)\s+"
        r"(suicide|killing\s+myself|ending\s+my\s+life|taking\s+my\s+(own\s+)?life)\b",
        r"\b(i'?m|im|i\s+am|i\s+feel|i\s+don'?t\s+feel)\s+(not\s+)?(safe|unsafe)\s*(rn|right\s+now|now)?\s*[.!]*$",
        r"^\W*(help\W+)?(i'?m\s+|im\s+)?(not\s+safe|unsafe)(\s+rn|\s+right\s+now)?\W*$",
        r"\b(i'?m|im|i\s+am)\s+(so\s+|really\s+)?scared\s+of\s+(myself|what\s+i('?ll|\s+will|\s+might)\s+do)\b",
        r"\b(i'?m|im|i\s+am)\s+in\s+(a\s+)?crisis\b(?!\s+(work|team|line|training|intervention))",
        r"\b(suicide|killing\s+myself|dying)\s+is\s+all\s+i\s+(think|can\s+think)\s+about\b",
        r"\b(quisiera|ojal[aá])\s+(estar|estuviera)\s+muert[oa]\b",
        r"\b(pienso|pensando)\s+en\s+(suicidarme|matarme|quitarme\s+la\s+vida)\b",
    ]
)

EMERGENCY = _any(
    [
        r"\b(is\s*n'?t|is\s+not|not|stopped|no\s+longer)\s+breathing\b",
        r"\b(is|are|'s|i'?m|im)\s+(overdosing|od'?ing)\b",
        r"\b(took|swallowed|i\s+ate|downed)\s+(all|a\s+whole\s+bottle)\s+of\s+(my|the|his|her|their)\b",
        r"\b(swallowed|drank|drunk)\s+(bleach|poison|antifreeze|rat\s+poison)\b",
        r"^\W*(me\s+)?tom[eé]\s+(cloro|veneno|lej[ií]a|anticongelante)\W*$",
        r"^\W*(i'?m\s+|im\s+)?(overdosing|od'?ing)\W*$",
        r"\bgun\s+to\s+(his|her|their|my)\s+head\b",
        r"\b(no\s+respira|dej[oó]\s+de\s+respirar|est[aá]\s+en\s+sobredosis|se\s+est[aá]\s+muriendo)\b",
        r"\b(me\s+tom[eé]|se\s+tom[oó])\s+(todas|todo\s+el\s+frasco|el\s+frasco)\b",
        r"\bme\s+estoy\s+desangrando\b",
    ]
)

# A clause that reports, quotes or supposes: its crisis words may not be happening.
REPORTED = re.compile(
    r"\b(if|when|whenever|what\s+if|suppose|says?|said|saying|tells?|told|asks?|asked|"
    r"what\s+(should|do|would)|how\s+(should|do|would|to)|training|class|role\s*play|"
    r"si|cuando|dice|dijo|qu[eé]\s+hago\s+si)\b"
)


def _fires(pattern: re.Pattern[str], clause: str) -> bool:
    plain = normalize(clause)
    return bool(pattern.search(plain)) and not REPORTED.search(plain)


def present_risk(clause: str) -> bool:
    """A first-person statement of being about to die by one's own hand."""
    return _fires(PRESENT_RISK, clause)


_SUICIDE = ("suicide", "suicidal", "suicidio", "sewerslide")


def _distance(a: str, b: str) -> int:
    """Edit distance, a swap of two neighbouring letters counting as one edit."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def suicide_alone(text: str) -> bool:
    """ "suicide" typed alone (with "help" at most), however it is spelled."""
    words = [w for w in re.findall(r"[a-záéíóúñ]+", normalize(text)) if w not in ("help", "ayuda")]
    return (
        len(words) == 1
        and len(words[0]) >= 5
        and min(_distance(words[0], w) for w in _SUICIDE) <= 2
    )


def ideation(clause: str) -> bool:
    """A first-person, present wish to be dead or thought of suicide."""
    return _fires(IDEATION, clause) or suicide_alone(clause)


def emergency(clause: str) -> bool:
    """A life in danger this minute: 911 first."""
    return _fires(EMERGENCY, clause)
