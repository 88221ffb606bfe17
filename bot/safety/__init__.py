"""The crisis safety net, checked by the gateway on every message before Rasa.

Rasa's `crisis` intent is the first layer; this is the second, so an NLU
miss can't swallow a crisis message. It has two deterministic halves:
explicit-language rules (rules.py) and a linear classifier (model.py). A
message is treated as crisis if either fires. It is tuned for recall: a
false alarm shows crisis numbers to someone who didn't need them; a miss is
not acceptable. Measured in tests/safety (README, "Crisis safety").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.safety import rules
from bot.safety.model import CrisisModel, open_model
from bot.search.embedder import Embedder

CRISIS_TEXT = (
    "I'm really glad you told me, and I'm sorry you're going through this. "
    "You deserve support from a real person right now:\n"
    "• Call or text 988 (Suicide & Crisis Lifeline), any time, day or night.\n"
    "• Text HOME to 741741 (Crisis Text Line).\n"
    "• If you or someone else is in immediate danger, call 911.\n"
    "I can also connect you with a peer supporter here, as soon as one is free."
)
CRISIS_BUTTONS = ({"title": "Connect me with a peer", "payload": "/request_human"},)
DEFAULT_THRESHOLD = 0.35  # under the lowest crisis score in tests/safety (0.43), with margin
# Button payloads and commands are never crisis language.
_PAYLOAD = re.compile(r"^/[a-z_]+(\{.*\})?$", re.DOTALL)


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
        if _PAYLOAD.match(text.strip()):
            return Verdict(False, "", 0.0)
        if rules.matches(text):
            return Verdict(True, "rules", 1.0)
        if self._model is None:
            return Verdict(False, "", 0.0)
        score = self._model.score(text[:2000])
        return Verdict(score >= self.threshold, "model" if score >= self.threshold else "", score)
