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
from peerpath.protocol import parse_payload
from peerpath.search.embedder import Embedder

DEFAULT_THRESHOLD = 0.35  # under the lowest crisis score in tests/safety (0.43), with margin


@dataclass(frozen=True)
class Verdict:
    crisis: bool
    by: str  # "rules", "model" or "" when not crisis
    score: float


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

    def check(self, text: str) -> Verdict:
        """Rules first (cheap); the classifier for everything they don't catch."""
        if parse_payload(text) is not None:  # buttons and commands are never crisis language
            return Verdict(False, "", 0.0)
        if rules.matches(text):
            return Verdict(True, "rules", 1.0)
        if self._model is None:
            return Verdict(False, "", 0.0)
        score = self._model.score(text[:2000])
        return Verdict(score >= self.threshold, "model" if score >= self.threshold else "", score)
