"""Every text a person can see exists in both languages (peerpath/catalogue/)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.channels.telegram.channel import COMMAND_TEXTS, commands
from peerpath.catalogue import entries, tr
from tests.helpers.catalogue import user_texts

_BLANK = re.compile(r"\{\w+\}")
CATALOGUE = Path(__file__).resolve().parents[2] / "peerpath" / "catalogue" / "es.yml"


def test_every_user_facing_text_has_its_spanish() -> None:
    spanish = entries("es")
    missing = sorted(text for text in user_texts() if text not in spanish)
    assert missing == [], "run `python -m tests.helpers.catalogue` and translate these"


def test_the_spanish_keeps_every_blank() -> None:
    for english, spanish in entries("es").items():
        assert sorted(_BLANK.findall(english)) == sorted(_BLANK.findall(spanish)), english


def test_english_is_said_as_written_and_blanks_are_filled() -> None:
    text = "{peer_name}, a peer supporter, has joined. Anything you write now goes to them."
    assert tr("en", text, peer_name="Ana").startswith("Ana, a peer supporter")
    assert tr("es", text, peer_name="Ana").startswith("Ana")
    assert tr("es", text, peer_name="Ana") != tr("en", text, peer_name="Ana")
    assert tr("es", "a text nobody wrote") == "a text nobody wrote"


def test_each_english_text_has_one_spanish() -> None:
    """A text written twice in the catalogue would silently take its last translation."""
    loader = yaml.SafeLoader(CATALOGUE.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    keys = [key.value for key, _ in root.value]
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


def test_telegrams_command_menu_has_its_spanish() -> None:
    spanish = entries("es")
    assert [text for text in COMMAND_TEXTS.values() if text not in spanish] == []
    assert [c.command for c in commands("es")] == list(COMMAND_TEXTS)
