"""Each Spanish article (knowledge/es/) says what its English one says: the same
sections, the same figures, the same citations, the same sources (translated by one
writer, checked section by section by a second reader)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
SPANISH = sorted((KNOWLEDGE / "es").glob("*.md"))
_FIGURE = re.compile(r"\$?\d[\d,.]*\d|\$?\d")
_CITATION = re.compile(r"\(([^()]*\b(?:19|20)\d\d[a-z]?)\)\s*$", re.M)


def _cited(body: str) -> list[tuple[str, ...]]:
    """Each closing citation's years and capitalised names (a month may be translated)."""
    months = re.compile(r"^(January|February|March|April|May|June|July|August|September|"
                        r"October|November|December)$")  # fmt: skip
    return [
        tuple(w for w in re.findall(r"[A-Z][\w&.'-]+|(?:19|20)\d\d", cited) if not months.match(w))
        for cited in _CITATION.findall(body)
    ]


def _parts(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---", 2)
    return yaml.safe_load(front), body


def test_every_english_article_has_its_spanish() -> None:
    english = {p.name for p in KNOWLEDGE.glob("*.md")}
    assert english == {p.name for p in SPANISH}


@pytest.mark.parametrize("path", SPANISH, ids=[p.stem for p in SPANISH])
def test_the_spanish_article_says_what_the_english_says(path: Path) -> None:
    spanish_meta, spanish = _parts(path)
    english_meta, english = _parts(KNOWLEDGE / path.name)
    assert spanish_meta["lang"] == "es" and spanish_meta["translation_of"] == path.name
    for key in ("topics", "audience", "sources"):
        assert spanish_meta.get(key) == english_meta.get(key), key
    assert len(re.findall(r"^## ", spanish, re.M)) == len(re.findall(r"^## ", english, re.M))
    assert _cited(spanish) == _cited(english)
    numbers = [n.replace(",", "") for n in _FIGURE.findall(english)]
    missing = [n for n in numbers if n not in spanish.replace(",", "")]
    assert missing == [], missing
