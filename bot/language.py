"""English or Spanish: each message's language, and each conversation's.

Each message is read by Lingua (lingua-language-detector: its models ship
in the package, nothing is downloaded), limited to English and Spanish, and
by a count of Spanish function words, so Spanish and English mixed counts as
Spanish ("whats the pay pa un recovery coach en ct"). A message too short to
tell ("ok", "no", "?") says nothing: the conversation keeps its language.
The conversation's language is remembered here (bounded, most recent
conversations kept) and changes when a message is clearly in the other
language, or when the person picks one ("English" / "Español", /idioma,
/language).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from functools import cached_property

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from peerpath.catalogue import tr
from peerpath.types import Button, OutMessage

LANGUAGES = ("en", "es")
DEFAULT = "en"
SURE = 0.8  # Lingua's confidence for a message of two words or more
SURE_ONE_WORD = 0.65  # "hola" 0.66, "perfecto" 0.69; "no" 0.59 and "si" 0.52 say nothing
REMEMBERED = 50_000

_SPANISH = frozenset(
    "que de la el y en los las mi me por para con una un es estoy quiero voy ya pero porque "
    "muy más mas yo tu tú su sus se lo le les del al como cuando donde qué cómo hay tengo tiene "
    "esta está este esto eso nada todo todos ayuda hoy noche mañana aquí aqui ahora ahorita "
    "trabajo pues neta también tambien sin sobre mis nos soy eres fue pa puedo cuánto cuanto "
    "gana hablar persona gracias hola buenas".split()
)
_ENGLISH = frozenset(
    "the and i to of a in is it you that my me for on with this be was are have not but can what "
    "do how just so if im i'm at or will about your get they he she we an there would been".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

# Choosing a language: the buttons, the commands, and saying it.
ASK = "/language"  # /idioma and /language on Telegram, and this payload
PICK = {"/language_en": "en", "/language_es": "es"}
QUESTION = "Which language would you like? ¿En qué idioma prefieres?"
CHOICES = (Button("English", "/language_en"), Button("Español", "/language_es"))
SET = "Okay, I'll answer in English."  # each language says it is the one chosen
_SAID = re.compile(
    r"^\W*(?:(?:in|en)\s+)?(?P<lang>english|ingl[eé]s|spanish|espa[nñ]ol)"
    r"(?:\s+(?:please|pls|por\s+favor|porfa))?\W*$",
    re.IGNORECASE,
)


def picked(text: str) -> str | None:
    """The language a message picks ("/language_es", "Español", "in english"), if any."""
    if text in PICK:
        return PICK[text]
    match = _SAID.match(text)
    if match is None:
        return None
    return "en" if match.group("lang").lower().startswith(("eng", "ing")) else "es"


def asks_for_languages(text: str) -> bool:
    """/language or /idioma: show the choice."""
    return text.strip().lower() in (ASK, "/idioma", "/lang")


class Languages:
    """detect(text) for one message; choose(conversation, text) for a conversation."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._remembered = remembered
        self._by_conversation: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    @cached_property
    def _lingua(self) -> LanguageDetector:
        return (
            LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH)
            .with_preloaded_language_models()
            .build()
        )

    def warm(self) -> None:
        """Load the models now (about 3 s), not on the first message."""
        _ = self._lingua

    def detect(self, text: str) -> str | None:
        """'es' or 'en' when the message says which, else None."""
        words = _WORD.findall(text.lower())
        if not words:
            return None
        spanish = sum(w in _SPANISH for w in words)
        english = sum(w in _ENGLISH for w in words)
        if spanish >= 2 and spanish >= english:  # Spanish, or Spanish and English mixed
            return "es"
        confidence = {
            value.language: value.value
            for value in self._lingua.compute_language_confidence_values(" ".join(words))
        }
        sure = SURE_ONE_WORD if len(words) == 1 else SURE
        if confidence.get(Language.SPANISH, 0.0) >= sure:
            return "es"
        if confidence.get(Language.ENGLISH, 0.0) >= sure and len(words) > 1:
            return "en"
        return None

    def current(self, conversation: str) -> str:
        """The conversation's language (English until something says otherwise)."""
        with self._lock:
            return self._by_conversation.get(conversation, DEFAULT)

    def set(self, conversation: str, language: str) -> None:
        """The person picked a language, or a message said it clearly."""
        if language not in LANGUAGES:
            return
        with self._lock:
            self._by_conversation[conversation] = language
            self._by_conversation.move_to_end(conversation)
            while len(self._by_conversation) > self._remembered:
                self._by_conversation.popitem(last=False)

    def choose(self, conversation: str, text: str) -> str:
        """The language to answer this message in: the one it picks, or its own if it
        says, else the conversation's."""
        found = picked(text) or self.detect(text)
        if found is not None:
            self.set(conversation, found)
            return found
        return self.current(conversation)

    def forget(self, conversation: str) -> None:
        with self._lock:
            self._by_conversation.pop(conversation, None)


def said_in(lang: str, *messages: OutMessage) -> tuple[OutMessage, ...]:
    """The gateway's own messages (texts of the catalogue, no blanks) in `lang`."""
    if lang == "en":
        return messages
    return tuple(
        OutMessage(
            text=tr(lang, m.text),
            buttons=tuple(Button(tr(lang, b.title), b.payload) for b in m.buttons),
            sources=m.sources,
            kind=m.kind,
        )
        for m in messages
    )
