"""A Rasa intent classifier: logistic regression over word and character
TF-IDF and the MiniLM sentence vector.

Rasa's own LogisticRegressionClassifier feeds raw counts to a fixed C=1
model, so the many character n-gram counts drown the 384 MiniLM dimensions.
Here each block is weighted (sublinear TF-IDF for the counts) and scaled to
unit length, then a stronger model is fitted. In 5-fold cross-validation of
PeerPath's data this beat DIET by a wide margin (see docs/quality.md, "NLU");
DIET still extracts the entities. The model is saved as plain arrays, no pickle.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression

SPARSE = "sparse_featurizers"
DENSE = "dense_featurizer"


def _sublinear(counts: csr_matrix) -> csr_matrix:
    weighted = counts.astype(np.float64, copy=True)
    weighted.data = 1.0 + np.log(np.maximum(weighted.data, 1e-12))
    return weighted


def _unit_rows(matrix: csr_matrix) -> csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(matrix.multiply(1.0 / norms[:, np.newaxis]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class WeightedLogisticRegressionClassifier(IntentClassifier, GraphComponent):
    """Predicts the intent from weighted sparse counts plus a dense sentence vector."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # aliases of the CountVectorsFeaturizers whose sentence counts are used
            SPARSE: [],
            # alias of the dense featurizer (MiniLMFeaturizer)
            DENSE: None,
            "dense_weight": 2.0,
            "C": 20.0,
            "max_iter": 3000,
            "ranking_length": LABEL_RANKING_LENGTH,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        idf: Optional[List[np.ndarray]] = None,
        coef: Optional[np.ndarray] = None,
        intercept: Optional[np.ndarray] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        if not self.config[SPARSE] and not self.config[DENSE]:
            raise InvalidConfigException(f"name at least one of {SPARSE} or {DENSE}")
        self._model_storage = model_storage
        self._resource = resource
        self.idf = idf or []
        self.coef = coef
        self.intercept = intercept
        self.labels = labels or []

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> WeightedLogisticRegressionClassifier:
        return cls(config, model_storage, resource)

    def _blocks(self, messages: List[Message]) -> Tuple[List[csr_matrix], Optional[np.ndarray]]:
        """Per sparse featurizer, the messages' sentence counts; and their dense vectors."""
        trained = self.coef is not None and bool(self.idf)
        blocks = []
        for n, alias in enumerate(self.config[SPARSE]):
            rows = []
            for message in messages:
                sentence = message.get_sparse_features(TEXT, [alias])[1]
                rows.append(csr_matrix(sentence.features) if sentence is not None else None)
            width = max((r.shape[1] for r in rows if r is not None), default=0)
            if trained:
                width = len(self.idf[n])
            blocks.append(
                vstack([r if r is not None else csr_matrix((1, width)) for r in rows]).tocsr()
            )
        dense = None
        if self.config[DENSE]:
            vectors = []
            for message in messages:
                sentence = message.get_dense_features(TEXT, [self.config[DENSE]])[1]
                vectors.append(None if sentence is None else sentence.features[0])
            width = max((len(v) for v in vectors if v is not None), default=0)
            if trained:  # a message without a vector (a button's payload) gets zeros
                width = self.coef.shape[1] - sum(len(idf) for idf in self.idf)
            dense = np.stack([v if v is not None else np.zeros(width) for v in vectors])
        return blocks, dense

    def _matrix(self, counts: List[csr_matrix], dense: Optional[np.ndarray]) -> csr_matrix:
        """The blocks weighted and scaled, side by side: the model's input."""
        parts = [
            _unit_rows(csr_matrix(_sublinear(block).multiply(idf[np.newaxis, :])))
            for block, idf in zip(counts, self.idf, strict=True)
        ]
        if dense is not None:
            parts.append(csr_matrix(dense * float(self.config["dense_weight"])))
        return hstack(parts).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the weights and the model on the intent examples."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        counts, dense = self._blocks(examples)
        n = len(examples)
        self.idf = []
        for block in counts:
            document_frequency = np.asarray((block > 0).sum(axis=0)).ravel()
            self.idf.append(np.log((1.0 + n) / (1.0 + document_frequency)) + 1.0)
        model = LogisticRegression(
            C=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            class_weight="balanced",
        )
        model.fit(self._matrix(counts, dense), [e.get(INTENT) for e in examples])
        self.labels = [str(label) for label in model.classes_]
        self.coef = model.coef_
        self.intercept = model.intercept_
        self.persist()
        return self._resource

    def _probabilities(self, messages: List[Message]) -> np.ndarray:
        scores = self._matrix(*self._blocks(messages)) @ self.coef.T + self.intercept
        scores = np.asarray(scores) - np.max(scores, axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets each message's intent and its ranking."""
        if self.coef is None or not messages:
            return messages
        for message, row in zip(messages, self._probabilities(messages), strict=True):
            order = np.argsort(-row)
            ranking = [
                {"name": self.labels[i], "confidence": float(row[i])}
                for i in order[: max(int(self.config["ranking_length"]), 1)]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as folder:
            np.save(folder / "coef.npy", self.coef, allow_pickle=False)
            np.save(folder / "intercept.npy", self.intercept, allow_pickle=False)
            for i, idf in enumerate(self.idf):
                np.save(folder / f"idf_{i}.npy", idf, allow_pickle=False)
            (folder / "labels.json").write_text(json.dumps(self.labels))

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> WeightedLogisticRegressionClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                idf = [
                    np.load(folder / f"idf_{i}.npy", allow_pickle=False)
                    for i in range(len(config.get(SPARSE) or []))
                ]
                return cls(
                    config,
                    model_storage,
                    resource,
                    idf=idf,
                    coef=np.load(folder / "coef.npy", allow_pickle=False),
                    intercept=np.load(folder / "intercept.npy", allow_pickle=False),
                    labels=json.loads((folder / "labels.json").read_text()),
                )
        except ValueError:
            # nothing was trained (no intent examples): an empty classifier
            return cls.create(config, model_storage, resource, execution_context)
