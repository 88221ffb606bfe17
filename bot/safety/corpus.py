"""The safety corpus: labelled messages by independent writers (data/safety/).

Each file of data/safety/corpus/ is one writer's work, written from
data/safety/TAXONOMY.md alone: `label` (crisis, sensitive, none), `category`,
`lang` and, for a crisis, `who` and `first` (which make the card). Models are
trained on some writers and measured on the others, so a figure says how the
net does on a way of writing it has never seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from peerpath.protocol import Card

CORPUS = Path(__file__).resolve().parents[2] / "data" / "safety" / "corpus"
HARD_NEGATIVES = frozenset(
    {"past_lived_experience", "others_history", "crisis_work", "idioms", "ordinary_worries"}
)
# Joins of a message and an ordinary question, as people write them.
JOINERS = (
    " ",
    ". ",
    " - ",
    "\n",
    " also ",
    " btw ",
    ", and ",
    ". oh and ",
    " pero ",
    ". también ",
    "? ",
    " but ",
)
# Messages that are already a question, or too short to carry one, are not joined.
NOT_JOINED = frozenset({"ordinary_question", "small_talk", "crisis_in_question"})


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # crisis | sensitive | none
    category: str = ""
    lang: str = "en"
    writer: str = ""
    card: Card = Card.SELF

    @property
    def crisis(self) -> bool:
        return self.label == "crisis"

    @property
    def kind(self) -> str:
        """crisis, hard (a hard negative) or ordinary: how a figure groups it."""
        if self.crisis:
            return "crisis"
        hard = self.label == "sensitive" or self.category in HARD_NEGATIVES
        return "hard" if hard else "ordinary"


def card_of(message: dict[str, object]) -> Card:
    """The card a writer's labels call for: someone else in danger, 911 first, or 988 first."""
    if message.get("who") == "other":
        return Card.BYSTANDER
    return Card.SELF_EMERGENCY if str(message.get("first")) == "911" else Card.SELF


def read(path: Path) -> list[Example]:
    """One file in the taxonomy's format (a writer's corpus, or an unseen set)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    writer = str(data.get("writer") or path.stem)
    return [
        Example(
            text=str(m["text"]),
            label=str(m["label"]),
            category=str(m.get("category", "")),
            lang=str(m.get("lang", "en")),
            writer=writer,
            card=card_of(m) if m["label"] == "crisis" else Card.SELF,
        )
        for m in data["messages"]
    ]


@dataclass(frozen=True)
class Corpus:
    examples: list[Example]

    @classmethod
    def load(cls, folder: Path = CORPUS) -> Corpus:
        return cls([e for path in sorted(folder.glob("*.yml")) for e in read(path)])

    @property
    def writers(self) -> list[str]:
        return sorted({e.writer for e in self.examples})

    def without(self, writer: str) -> Corpus:
        return Corpus([e for e in self.examples if e.writer != writer])

    def only(self, writer: str) -> Corpus:
        return Corpus([e for e in self.examples if e.writer == writer])

    def compositions(self, seed: int = 0, rounds: int = 2) -> list[Example]:
        """Each message joined to an ordinary question by the same writer, before or after it,
        keeping its label: a crisis is a crisis beside a question, a story of the past is not."""
        rng = np.random.default_rng(seed)
        questions: dict[str, list[str]] = {}
        for e in self.examples:
            if e.category == "ordinary_question":
                questions.setdefault(e.writer, []).append(e.text)
        joined: list[Example] = []
        for _ in range(rounds):
            for e in self.examples:
                asked = questions.get(e.writer)
                if e.category in NOT_JOINED or not asked:
                    continue
                question = asked[int(rng.integers(len(asked)))]
                joiner = JOINERS[int(rng.integers(len(JOINERS)))]
                first, second = (e.text, question) if rng.random() < 0.5 else (question, e.text)
                text = first + joiner + second
                joined.append(Example(text, e.label, "composed", e.lang, e.writer, e.card))
        return joined

    def digest(self, *parts: object) -> str:
        """A hash of the examples and of `parts` (the model's version and shape)."""
        h = hashlib.sha256(":".join(map(str, parts)).encode())
        for e in self.examples:
            h.update(f"{e.writer}\t{e.label}\t{e.card}\t{e.text}\n".encode())
        return h.hexdigest()


def by_kind(examples: Iterable[Example]) -> dict[str, list[Example]]:
    groups: dict[str, list[Example]] = {}
    for e in examples:
        groups.setdefault(e.kind, []).append(e)
    return groups


def texts(examples: Sequence[Example]) -> list[str]:
    return [e.text for e in examples]
