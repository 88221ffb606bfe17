"""Cleaning what people type, once, where it enters PeerPath.

Whatever a channel receives (a JSON string with a lone UTF-16 surrogate from a
broken emoji, control characters, a right-to-left override), the rest of
PeerPath sees ordinary text: invalid code points replaced, control and bidi
override characters removed, line breaks unified, Unicode composed (NFC).
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
# C0/C1 controls except tab and newline; bidi embeddings, overrides and isolates.
_STRIP = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """`text` as safe, ordinary Unicode, stripped of surrounding whitespace."""
    # A surrogate pair written as two escapes becomes its character; a lone
    # surrogate, which no encoder accepts, becomes U+FFFD.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _STRIP.sub("", text)
    return unicodedata.normalize("NFC", text).strip()
