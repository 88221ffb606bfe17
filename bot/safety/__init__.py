"""The crisis safety net: every message graded before Rasa, and during a hand-off.

A graded assessment, in this order (rules.py has the patterns):

1. A button or command: `none`.
2. Someone in danger now (a weapon, violence, someone unresponsive, not
   breathing, bleeding or overdosing): `crisis`, with 911 first. A plainly
   hypothetical one ("what should staff do if ...") with nothing said to be
   happening now is not an emergency.
3. A person's own risk now or soon (wanting or planning to die, goodbyes, the
   means ready, hurting themselves now), or someone else saying they will end
   their life: `crisis`.
4. Crisis words (suicide, overdose, self-harm, attempted, took all my pills...)
   with no cue that anything happens now (right now, tonight, this weekend,
   again, just took, still thinking about it...): `sensitive` when they are
   framed as the person's own distant past (years ago, in 2015, as a teen, in
   recovery since), someone else's history (lost my brother to suicide), or
   work, training or study (jobs, pay, courses, research, how to support
   someone); otherwise `crisis`.
5. No crisis words, but the classifier (model.py: MiniLM embedding and
   character n-grams) scores the message at or above the threshold (veiled
   distress: "no one would notice if I disappeared"): `none` if it is an
   idiom or a plain request for a human; `sensitive` if it is framed as a
   distant past or someone else's history, or framed as work with a middling
   score; otherwise `crisis`.

When in doubt it is `crisis`: a frame only ever explains crisis language
away when nothing in the message says the risk is present. Measured in
tests/safety (README, "Crisis safety").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.safety import language, rules
from bot.safety.model import CrisisModel, open_model
from peerpath.asking import asks_for_human
from peerpath.protocol import Safety, parse_payload
from peerpath.search.embedder import Encoder

# The classifier only decides messages without explicit crisis words (veiled distress).
# Its lowest score on such crisis messages in the tuning sets is 0.65.
DEFAULT_THRESHOLD = 0.5
# A work frame explains a veiled message only below this score.
VEILED_WORK_CEILING = 0.8


@dataclass(frozen=True)
class Assessment:
    """The net's grading of one message."""

    level: Safety
    emergency: bool = False  # someone in danger now from violence, or hurt: 911 first
    lang: str = "en"
    by: str = ""  # "rules", "model" or "" when nothing fired
    score: float = 0.0

    @property
    def crisis(self) -> bool:
        return self.level == Safety.CRISIS


NOTHING = Assessment(Safety.NONE)


class SafetyNet:
    """Rules or classifier: either one flags a message as crisis."""

    def __init__(self, model: CrisisModel | None, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._model = model
        self.threshold = threshold

    @classmethod
    def open(
        cls, folder: Path, embedder: Encoder, nlu_dir: Path, threshold: float = DEFAULT_THRESHOLD
    ) -> SafetyNet:
        return cls(open_model(folder, embedder, nlu_dir), threshold)

    def assess(self, text: str, vector: np.ndarray | None = None) -> Assessment:
        """Grade one message: crisis, sensitive or none (see the module's docstring).

        `vector` is the message's MiniLM embedding when the caller already has it.
        """
        if parse_payload(text) is not None:  # buttons and commands are never crisis language
            return NOTHING
        plain = rules.normalize(text)
        lang = "es" if rules.spanish_risk(plain) else language.detect(plain)
        if rules.emergency(plain):
            return Assessment(Safety.CRISIS, emergency=True, lang=lang, by="emergency", score=1.0)
        if rules.present_risk(plain):
            return Assessment(Safety.CRISIS, lang=lang, by="rules", score=1.0)
        score = self._model.score(text[:2000], vector) if self._model is not None else 0.0
        literal = rules.IDIOMS.sub(" ", plain)  # "overdosed on coffee" is no crisis language
        spoken = rules.crisis_language(literal)
        if not spoken and (score < self.threshold or rules.idiom(plain) or asks_for_human(text)):
            return Assessment(Safety.NONE, lang=lang, score=score)
        why = rules.frame(plain)
        if why and (spoken or why in ("past", "others") or score < VEILED_WORK_CEILING):
            # Crisis words framed as past, someone else's or work; veiled distress
            # with a distant past or someone else's story; or a middling score with
            # a work frame ("burned out at my peer job").
            return Assessment(Safety.SENSITIVE, lang=lang, by=why, score=score)
        return Assessment(Safety.CRISIS, lang=lang, by="rules" if spoken else "model", score=score)

    check = assess
