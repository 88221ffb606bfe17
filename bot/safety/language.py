"""English or Spanish: which crisis reply a person gets.

A count of common function words, enough for the short messages people
send; a message with at least two Spanish ones and no more English ones is
Spanish (Spanglish with a Spanish crisis phrase counts as Spanish).
"""

from __future__ import annotations

import re

_SPANISH = frozenset(
    "que de no la el y en los las mi me por para con una un es estoy quiero voy ya pero porque "
    "muy más mas yo tu tú su sus se lo le les del al como cuando donde qué cómo hay tengo tiene "
    "esta está este esto eso nada todo todos ayuda hoy noche mañana aquí aqui ahora ahorita vida "
    "trabajo pues neta también tambien sin sobre mis nos soy eres fue".split()
)
_ENGLISH = frozenset(
    "the and i to of a in is it you that my me for on with this be was are have not but can what "
    "do how just so if im i'm at or will about your get they he she we an there would been".split()
)
_WORD = re.compile(r"[a-záéíóúñü']+")


def detect(plain: str) -> str:
    """'es' or 'en' for normalized (lower-case) text."""
    words = _WORD.findall(plain)
    spanish = sum(word in _SPANISH for word in words)
    english = sum(word in _ENGLISH for word in words)
    return "es" if spanish >= 2 and spanish >= english else "en"
