"""The crisis safety net, checked by the gateway on every message before Rasa.

Rasa's `crisis` intent is the first layer; this is the second, so an NLU
miss can't swallow a crisis message. It has two deterministic halves:
explicit-language rules (rules.py) and a linear classifier (model.py). A
message is treated as crisis if either fires. It is tuned for recall: a
false alarm shows crisis numbers to someone who didn't need them; a miss is
not acceptable. Measured in tests/safety (README, "Crisis safety").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.safety import rules
from gateway.safety.model import CrisisModel, open_model
from peerpath.protocol import Safety, parse_payload
from peerpath.search.embedder import Embedder

DEFAULT_THRESHOLD = 0.35  # under the lowest crisis score in tests/safety (0.43), with margin


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
        cls, folder: Path, embedder: Embedder, nlu_dir: Path, threshold: float = DEFAULT_THRESHOLD
    ) -> SafetyNet:
        return cls(open_model(folder, embedder, nlu_dir), threshold)

    def assess(self, text: str) -> Assessment:
        """Rules first (cheap); the classifier for everything they don't catch."""
        if parse_payload(text) is not None:  # buttons and commands are never crisis language
            return NOTHING
        if rules.matches(text):
            return Assessment(Safety.CRISIS, by="rules", score=1.0)
        if self._model is None:
            return NOTHING
        score = self._model.score(text[:2000])
        if score >= self.threshold:
            return Assessment(Safety.CRISIS, by="model", score=score)
        return Assessment(Safety.NONE, score=score)

    check = assess
