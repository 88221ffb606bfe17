"""A small linear classifier for crisis language (the net's second half).

Features: the sentence embedding (all-MiniLM-L6-v2, the model search already
loads) and character n-grams (which catch slang and misspellings like
"sewerslide" or "suiside"). Logistic regression, trained on
bot/safety/examples.yml plus Rasa's NLU data (crisis intent vs. every other
intent), with classes balanced. Deterministic at run time: the same message
always gets the same score. Trained once and saved under VAR_DIR/safety
(arrays and JSON, no pickle); retrained when its training data changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from peerpath.errors import SearchError
from peerpath.search.embedder import Encoder

logger = logging.getLogger(__name__)

VERSION = 1
EXAMPLES = Path(__file__).resolve().parent / "examples.yml"
EMBEDDING_WEIGHT = 2.0  # scales the dense part against the n-gram part
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class TrainingData:
    crisis: list[str]
    not_crisis: list[str]

    def digest(self, model_name: str) -> str:
        h = hashlib.sha256(f"v{VERSION}:{model_name}".encode())
        for label, texts in (("c", self.crisis), ("n", self.not_crisis)):
            for text in texts:
                h.update(f"{label}:{text}\n".encode())
        return h.hexdigest()


def nlu_examples(where: Path) -> Iterable[tuple[str, str]]:
    """(intent, text) from a Rasa NLU file or folder of them, entity annotations stripped."""
    for path in sorted(where.glob("*.yml")) if where.is_dir() else [where]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield block["intent"], ANNOTATION.sub(r"\1", line[2:]).strip()


def load_training_data(nlu_dir: Path, examples: Path = EXAMPLES) -> TrainingData:
    data = yaml.safe_load(examples.read_text(encoding="utf-8"))
    crisis = [str(t) for t in data["crisis"]]
    not_crisis = [str(t) for t in data["not_crisis"]]
    if nlu_dir.is_dir():
        for intent, text in nlu_examples(nlu_dir):
            (crisis if intent == "crisis" else not_crisis).append(text)
    return TrainingData(crisis, not_crisis)


class CrisisModel:
    """score(text) -> probability-like value in [0, 1] that `text` is crisis."""

    def __init__(
        self,
        embedder: Encoder,
        vectorizer: TfidfVectorizer,
        coef: np.ndarray,
        intercept: float,
        digest: str,
    ) -> None:
        self._embedder = embedder
        self._vectorizer = vectorizer
        self._coef = coef
        self._intercept = intercept
        self.digest = digest

    @staticmethod
    def _vectorizer_for(texts: list[str]) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True
        ).fit(texts)

    def _features(self, texts: list[str], vectors: np.ndarray | None = None) -> csr_matrix:
        if vectors is None:
            vectors = self._embedder.encode(texts)
        dense = vectors * EMBEDDING_WEIGHT
        return hstack([csr_matrix(dense), self._vectorizer.transform(texts)]).tocsr()

    @classmethod
    def train(cls, embedder: Encoder, data: TrainingData) -> CrisisModel:
        texts = data.crisis + data.not_crisis
        labels = np.r_[np.ones(len(data.crisis)), np.zeros(len(data.not_crisis))]
        model = cls(
            embedder, cls._vectorizer_for(texts), np.zeros(0), 0.0, data.digest(embedder.name)
        )
        classifier = LogisticRegression(C=8.0, class_weight="balanced", max_iter=5000)
        classifier.fit(model._features(texts), labels)
        model._coef = classifier.coef_[0].astype(np.float64)
        model._intercept = float(classifier.intercept_[0])
        return model

    def scores(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Crisis scores; `vectors` (their MiniLM embeddings) if already computed."""
        logits = self._features(texts, vectors) @ self._coef + self._intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def score(self, text: str, vector: np.ndarray | None = None) -> float:
        return float(self.scores([text], None if vector is None else vector[np.newaxis, :])[0])

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        vocabulary = {k: int(v) for k, v in self._vectorizer.vocabulary_.items()}
        (folder / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False))
        np.save(folder / "idf.npy", self._vectorizer.idf_, allow_pickle=False)
        np.save(folder / "coef.npy", self._coef, allow_pickle=False)
        manifest = {"version": VERSION, "digest": self.digest, "intercept": self._intercept}
        (folder / "manifest.json").write_text(json.dumps(manifest))

    @classmethod
    def load(cls, folder: Path, embedder: Encoder, digest: str) -> CrisisModel:
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if manifest.get("version") != VERSION or manifest.get("digest") != digest:
                raise SearchError("the safety model's training data changed")
            vocabulary = json.loads((folder / "vocabulary.json").read_text())
            idf = np.load(folder / "idf.npy", allow_pickle=False)
            coef = np.load(folder / "coef.npy", allow_pickle=False)
        except (OSError, ValueError, KeyError) as exc:
            raise SearchError(f"no usable saved safety model ({type(exc).__name__})") from None
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True,
            vocabulary=vocabulary,
        )  # fmt: skip
        vectorizer.idf_ = idf
        if coef.shape[0] != embedder.dimension + len(vocabulary):
            raise SearchError("the saved safety model does not fit the embedding model")
        return cls(embedder, vectorizer, coef, float(manifest["intercept"]), digest)


def open_model(folder: Path, embedder: Encoder, nlu_dir: Path) -> CrisisModel:
    """Load the saved model, or train and save it if its data changed."""
    data = load_training_data(nlu_dir)
    digest = data.digest(embedder.name)
    try:
        return CrisisModel.load(folder, embedder, digest)
    except SearchError as exc:
        logger.info("safety.model_train reason=%s", exc)
    model = CrisisModel.train(embedder, data)
    model.save(folder)
    logger.info(
        "safety.model_trained crisis=%d not_crisis=%d", len(data.crisis), len(data.not_crisis)
    )
    return model
