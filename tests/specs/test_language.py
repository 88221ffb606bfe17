"""Each message's language, and each conversation's (bot/language.py), with the real
Lingua models."""

from __future__ import annotations

import pytest

from bot.language import Languages, asks_for_languages, picked


@pytest.fixture(scope="module")
def languages() -> Languages:
    return Languages()


DETECTED = [
    ("quiero cambiar de carrera", "es"),
    ("¿cuánto gana un especialista de pares?", "es"),
    ("hola", "es"),
    ("perfecto", "es"),
    ("whats the pay pa un recovery coach en ct", "es"),  # mixed counts as Spanish
    ("puedo hablar con un human?", "es"),
    ("how much do peer specialists earn?", "en"),
    ("can I keep my SSI if I work part time", "en"),
    # too short to tell: the conversation keeps its language
    ("ok", None),
    ("no", None),
    ("si", None),
    ("?", None),
    ("thanks", None),
    ("SSI", None),
]


@pytest.mark.parametrize(("text", "lang"), DETECTED)
def test_a_message_says_its_language_when_it_can(
    languages: Languages, text: str, lang: str | None
) -> None:
    assert languages.detect(text) == lang


def test_a_conversation_keeps_its_language_until_a_message_clearly_changes_it(
    languages: Languages,
) -> None:
    conv = "conv-1"
    assert languages.choose(conv, "ok") == "en"  # nothing said yet: English
    assert languages.choose(conv, "hola, necesito trabajo") == "es"
    assert languages.choose(conv, "ok") == "es"
    assert languages.choose(conv, "no") == "es"
    assert languages.choose(conv, "what trainings are there in connecticut?") == "en"
    assert languages.choose(conv, "/language_es") == "es"  # the button picks
    languages.forget(conv)
    assert languages.current(conv) == "en"


PICKS = [
    ("/language_es", "es"),
    ("/language_en", "en"),
    ("Español", "es"),
    ("en español por favor", "es"),
    ("in english please", "en"),
    ("inglés", "en"),
    ("spanish classes near me", None),
    ("hablo español y busco trabajo", None),
]


@pytest.mark.parametrize(("text", "lang"), PICKS)
def test_picking_a_language(text: str, lang: str | None) -> None:
    assert picked(text) == lang


def test_the_language_command() -> None:
    assert asks_for_languages("/idioma") and asks_for_languages("/language")
    assert not asks_for_languages("language")


def test_the_memory_is_bounded() -> None:
    small = Languages(remembered=2)
    for conv in ("a", "b", "c"):
        small.set(conv, "es")
    assert small.current("a") == "en" and small.current("c") == "es"
