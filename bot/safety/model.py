"""The learned half of the safety net: how likely a message is a crisis, and which card fits.

Features are what a message's words look like, in English and Spanish alike:
TF-IDF of character n-grams (2-5, inside word boundaries: slang, typos,
"sewerslide") and of words and word pairs, on text folded to lower case
without accents. Three heads read them:

- crisis: a small neural network (network.py: one hidden layer of RELU units)
  trained on the safety corpus (data/safety/corpus/, seven writers), with each
  crisis and non-crisis message also joined to an ordinary question of the
  same writer, so a crisis inside a question reads as a crisis;
- card: logistic regression over the corpus' crisis messages: the person's
  own risk, their own life in danger this minute, or someone else in danger;
- sensitive: logistic regression, crisis topics without present risk (the
  past, someone else's history, crisis work) against everything else.

Measured on writers the model had not seen and left out: a sentence-embedding
feature (lower recall), logistic regression for the crisis head (lower recall
at the same takeovers), an ensemble of networks and wider ones (no gain), and
grading each clause alone (more takeovers: a clause cut from its frame reads
as a crisis). See docs/quality.md.
Deterministic at run time. Trained by `make` when the corpus changes and
saved under VAR_DIR/safety as arrays and JSON, never pickle.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.safety import network
from bot.safety.clauses import statements
from bot.safety.corpus import Corpus
from bot.safety.network import Layer
from peerpath.errors import SearchError
from peerpath.protocol import Card

logger = logging.getLogger(__name__)

VERSION = 3
HIDDEN = 64
EPOCHS = 30
CARDS = (Card.SELF, Card.SELF_EMERGENCY, Card.BYSTANDER)
_SPACE = re.compile(r"\s+")
_WORD_PATTERN = r"[\w']+"


def fold(text: str) -> str:
    """Lower case, accents and apostrophe forms folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACE.sub(" ", text).strip()


def _char_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, vocabulary=vocabulary
    )


def _word_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=_WORD_PATTERN,
        vocabulary=vocabulary,
    )


@dataclass(frozen=True)
class Reading:
    """What the model reads in one message."""

    whole: float  # how likely the message is a crisis
    statements: float  # the same for the message without its questions (clauses.statements)
    cards: np.ndarray  # how likely each card fits (CARDS order), if it is a crisis
    sensitive: float  # how likely it speaks of crisis without present risk
    known: int  # how many of its words the model saw in training


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class CrisisModel:
    """read(text) -> Reading: the crisis, card and sensitive heads over one message."""

    def __init__(
        self,
        chars: TfidfVectorizer,
        words: TfidfVectorizer,
        crisis: Sequence[Layer],
        card: Layer,
        sensitive: Layer,
        digest: str,
    ) -> None:
        self._chars = chars
        self._words = words
        self._crisis = tuple(crisis)
        self._card = card
        self._sensitive = sensitive
        self.digest = digest
        self._known = frozenset(w for w in words.vocabulary_ if " " not in w)

    # --- features ---------------------------------------------------------------

    def _features(self, texts: Sequence[str]) -> csr_matrix:
        folded = [fold(t) for t in texts]
        return hstack([self._chars.transform(folded), self._words.transform(folded)]).tocsr()

    def _inputs(self, texts: Sequence[str]) -> csr_matrix:
        """The features in the weights' float32: a float64 row times float32 weights made
        scipy copy all 72,208 x 64 weights to float64 per message (6 of 9 ms a read)."""
        return self._features(texts).astype(np.float32)

    def known_words(self, text: str) -> int:
        """How many of the text's words the model saw in training."""
        return sum(word in self._known for word in re.findall(_WORD_PATTERN, fold(text)))

    # --- heads --------------------------------------------------------------------

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """The crisis probability of each text."""
        return network.forward(self._crisis, self._inputs(texts))

    def read(self, text: str) -> Reading:
        """The three heads over `text` (its features computed once)."""
        rest = statements(text)
        features = self._inputs([text] if rest is None else [text, rest])
        crisis = network.forward(self._crisis, features)
        head = features[:1]
        logits = np.asarray(head @ self._card.weights + self._card.bias, dtype=np.float64)[0]
        cards = np.exp(logits - logits.max())
        sensitive = np.asarray(head @ self._sensitive.weights + self._sensitive.bias).ravel()
        return Reading(
            whole=float(crisis[0]),
            statements=float(crisis[-1]),
            cards=cards / cards.sum(),
            sensitive=float(_sigmoid(sensitive.astype(np.float64))[0]),
            known=self.known_words(text),
        )

    # --- training -----------------------------------------------------------------

    @classmethod
    def train(cls, corpus: Corpus, seed: int = 0) -> CrisisModel:
        """Fit the three heads on `corpus` (its examples and their joined compositions)."""
        examples = corpus.examples + corpus.compositions(seed=seed)
        texts = [fold(e.text) for e in examples]
        chars = _char_vectorizer().fit(texts)
        words = _word_vectorizer().fit(texts)
        empty = Layer(np.zeros(0), np.zeros(0))
        digest = corpus.digest(VERSION, HIDDEN, EPOCHS)
        model = cls(chars, words, (), empty, empty, digest)
        features = model._features([e.text for e in examples])
        crisis = np.array([e.crisis for e in examples], dtype=int)
        model._crisis = network.train(features, crisis, HIDDEN, EPOCHS, seed)
        own = [i for i, e in enumerate(corpus.examples) if e.crisis]
        cards = np.array([CARDS.index(corpus.examples[i].card) for i in own])
        card = LogisticRegression(C=16.0, class_weight="balanced", max_iter=5000)
        card.fit(features[own], cards)
        model._card = Layer(card.coef_.T.astype(np.float32), card.intercept_.astype(np.float32))
        sensitive = np.array([e.label == "sensitive" for e in corpus.examples], dtype=int)
        head = LogisticRegression(C=16.0, class_weight="balanced", max_iter=5000)
        head.fit(features[: len(corpus.examples)], sensitive)
        model._sensitive = Layer(
            head.coef_.T.astype(np.float32), head.intercept_.astype(np.float32)
        )
        return model

    # --- saving -------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, vectorizer in (("chars", self._chars), ("words", self._words)):
            vocabulary = {k: int(v) for k, v in vectorizer.vocabulary_.items()}
            (folder / f"{name}.json").write_text(json.dumps(vocabulary, ensure_ascii=False))
            np.save(folder / f"{name}-idf.npy", vectorizer.idf_, allow_pickle=False)
        arrays = {f"crisis{i}": layer for i, layer in enumerate(self._crisis)}
        arrays |= {"card": self._card, "sensitive": self._sensitive}
        for name, layer in arrays.items():
            np.save(folder / f"{name}-weights.npy", layer.weights, allow_pickle=False)
            np.save(folder / f"{name}-bias.npy", layer.bias, allow_pickle=False)
        manifest = {"version": VERSION, "digest": self.digest, "layers": len(self._crisis)}
        (folder / "manifest.json").write_text(json.dumps(manifest))

    @classmethod
    def load(cls, folder: Path, digest: str) -> CrisisModel:
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if manifest.get("version") != VERSION or manifest.get("digest") != digest:
                raise SearchError("the safety model's training data changed")
            vectorizers = []
            for name, make in (("chars", _char_vectorizer), ("words", _word_vectorizer)):
                vectorizer = make(json.loads((folder / f"{name}.json").read_text()))
                vectorizer.idf_ = np.load(folder / f"{name}-idf.npy", allow_pickle=False)
                vectorizers.append(vectorizer)

            def layer(name: str) -> Layer:
                return Layer(
                    np.load(folder / f"{name}-weights.npy", allow_pickle=False),
                    np.load(folder / f"{name}-bias.npy", allow_pickle=False),
                )

            crisis = [layer(f"crisis{i}") for i in range(int(manifest["layers"]))]
            card, sensitive = layer("card"), layer("sensitive")
        except (OSError, ValueError, KeyError) as exc:
            raise SearchError(f"no usable saved safety model ({type(exc).__name__})") from None
        width = len(vectorizers[0].vocabulary_) + len(vectorizers[1].vocabulary_)
        if not crisis or crisis[0].weights.shape[0] != width:
            raise SearchError("the saved safety model's parts disagree")
        return cls(vectorizers[0], vectorizers[1], crisis, card, sensitive, digest)


def open_model(folder: Path, corpus: Corpus) -> CrisisModel:
    """Load the saved model, or train and save it if the corpus changed."""
    digest = corpus.digest(VERSION, HIDDEN, EPOCHS)
    try:
        return CrisisModel.load(folder, digest)
    except SearchError as exc:
        logger.info("safety.model_train reason=%s", exc)
    model = CrisisModel.train(corpus)
    model.save(folder)
    logger.info("safety.model_trained examples=%d", len(corpus.examples))
    return model
