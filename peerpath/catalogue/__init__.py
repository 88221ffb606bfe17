"""What PeerPath says, in each language it speaks: one catalogue for every process.

Like gettext, the catalogue is keyed by the English text: `tr("es", text)` is
the Spanish of `text` (peerpath/catalogue/es.yml), `tr("en", text)` the text
itself. Texts with blanks are looked up before they are filled in:
`tr(lang, "A peer will join {soon}.", soon=...)`. A text the catalogue lacks is
said in English (and `make test` fails: tests/specs/test_catalogue.py finds
every text a person can see — Rasa's responses, the actions' and the
gateway's texts and buttons — and asks for its Spanish).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).resolve().parent
LANGUAGES = ("en", "es")


@cache
def entries(lang: str) -> dict[str, str]:
    """The catalogue of `lang`: English text -> text in `lang`."""
    path = FOLDER / f"{lang}.yml"
    if lang == "en" or not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items() if v}


def tr(lang: str, text: str, **fields: Any) -> str:
    """`text` in `lang` (English when the catalogue lacks it), its blanks filled in."""
    said = entries(lang).get(text, text) if lang != "en" else text
    return said.format(**fields) if fields else said


def buttons(lang: str, items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Buttons with their titles in `lang` (payloads are never translated)."""
    return [{**item, "title": tr(lang, str(item.get("title", "")))} for item in items or []]
