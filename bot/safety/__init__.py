"""The crisis safety net: every message graded before Rasa, and during a hand-off.

One assessment, in this order:

1. A button or command: `none`.
2. The floor (rules.py), clause by clause (clauses.py): a clause that says,
   unreported and unsupposed, that someone is about to end their life or that
   a life is in danger this minute makes the message `crisis`, whatever the
   rest is about; so does a present, first-person wish to be dead or thought
   of suicide (rules.IDEATION).
3. The learned model (model.py) carries the weight. It reads the whole
   message, and the message's statements: what it says once its questions
   are taken out, so a question about pay can't dilute "I won't be here by
   Friday" beside it, while a frame ("that was years ago") stays with what it
   explains. Either reading at or above its threshold is `crisis`. The
   thresholds were calibrated on writers the model was not trained on
   (data/safety/calibration.json, eval/safety_report.py). A message with no
   word the model has seen is never a crisis by the model: unfamiliar words
   are no evidence, and a message of one or two words is a crisis only by the
   floor (the corpus's short messages are almost all ordinary replies).
4. A crisis gets the card that fits (protocol.Card): the person's own risk
   (988 first), their own life in danger this minute, or someone else in
   danger (911 first for both); 911 comes first as soon as the two
   emergency cards are likely enough (`emergency`, calibrated like the
   others), and always after an emergency phrase of the floor.
5. Otherwise `sensitive` when the message speaks of crisis without present
   risk (the past, someone else's history, crisis work), else `none`.

Measured in README ("Crisis safety") and docs/quality.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.safety import clauses, language, rules
from bot.safety.corpus import Corpus
from bot.safety.model import CrisisModel, Reading, open_model
from peerpath.protocol import Card, Safety, parse_payload

CALIBRATION = Path(__file__).resolve().parents[2] / "data" / "safety" / "calibration.json"
MAX_CHARS = 2000  # what the net reads of a message; longer text is graded by its start
SHORT_WORDS = 2  # a message this short is a crisis only by the floor
_WORD = re.compile(r"\w+")
SENSITIVE_AT = 0.5


@dataclass(frozen=True)
class Thresholds:
    """Where the model's scores become a crisis (calibrated on held-out writers)."""

    whole: float = 0.8
    statements: float = 0.9  # the message without its questions
    # 911 first when the two emergency cards together are at least this likely
    emergency: float = 0.3

    @classmethod
    def read(cls, path: Path = CALIBRATION) -> Thresholds:
        """The calibrated thresholds, or the defaults when no calibration was written."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(float(data["whole"]), float(data["statements"]), float(data["emergency"]))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def crisis(self, reading: Reading) -> bool:
        """Whether the model's reading of a message is a crisis."""
        return reading.known > 0 and (
            reading.whole >= self.whole or reading.statements >= self.statements
        )


def pick_card(probs: np.ndarray, emergency_at: float, floor_emergency: bool = False) -> Card:
    """The crisis card from the card head's probabilities (Card order: self, self-emergency,
    bystander). 911 first leans early: when the emergency cards together reach
    `emergency_at`, or the floor saw a life in danger this minute."""
    if floor_emergency or probs[1] + probs[2] >= emergency_at:
        return Card.BYSTANDER if probs[2] >= probs[1] else Card.SELF_EMERGENCY
    return Card.SELF


@dataclass(frozen=True)
class Assessment:
    """The net's grading of one message."""

    level: Safety
    card: Card = Card.SELF  # with a crisis: which crisis reply fits
    lang: str = "en"
    by: str = ""  # "rules", "model", or "" when nothing fired
    score: float = 0.0

    @property
    def crisis(self) -> bool:
        return self.level == Safety.CRISIS

    @property
    def emergency(self) -> bool:
        """911 first."""
        return self.crisis and self.card.emergency


NOTHING = Assessment(Safety.NONE)


class SafetyNet:
    """The rules' floor clause by clause, then the learned model."""

    def __init__(self, model: CrisisModel | None, thresholds: Thresholds | None = None) -> None:
        self._model = model
        self.thresholds = thresholds or Thresholds.read()

    @classmethod
    def open(cls, folder: Path, corpus: Corpus | None = None) -> SafetyNet:
        """The saved model in `folder` (trained first if the corpus changed)."""
        return cls(open_model(folder, corpus or Corpus.load()))

    def assess(self, text: str, vector: np.ndarray | None = None) -> Assessment:
        """Grade one message: crisis (with its card), sensitive or none.

        `vector` (the message's MiniLM embedding) is accepted for callers that
        have it; the net reads the words alone.
        """
        if parse_payload(text) is not None:  # buttons and commands are never crisis language
            return NOTHING
        text = text[:MAX_CHARS]
        lang = language.detect(rules.normalize(text))
        units = [text, *clauses.split(text)]
        emergency = any(rules.emergency(u) for u in units)
        floor = emergency or any(rules.present_risk(u) or rules.ideation(u) for u in units)
        if self._model is None:
            card = Card.SELF_EMERGENCY if emergency else Card.SELF
            return Assessment(Safety.CRISIS, card, lang, "rules", 1.0) if floor else NOTHING
        reading = self._model.read(text)
        score = max(reading.whole, reading.statements)
        # One or two words are too little for the model to call a crisis (of the corpus's
        # 561 such messages, 9 are crises, each a floor phrase): "here", "next one".
        model_may = len(_WORD.findall(text)) > SHORT_WORDS
        if floor or (model_may and self.thresholds.crisis(reading)):
            card = pick_card(reading.cards, self.thresholds.emergency, emergency)
            return Assessment(Safety.CRISIS, card, lang, "rules" if floor else "model", score)
        if reading.sensitive >= SENSITIVE_AT:
            return Assessment(Safety.SENSITIVE, lang=lang, by="model", score=score)
        return Assessment(Safety.NONE, lang=lang, score=score)

    check = assess
