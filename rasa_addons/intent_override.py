"""The shape shared by the components that correct the classifier's intent afterwards.

HumanRequestClassifier, FlowRequestClassifier and SafetyVerdictClassifier
train nothing and keep no state: they only read each message (its text, or
the gateway's metadata) and may put another intent first. Each defines
`process`; creating them, passing training data through and putting an
intent first are here, once.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class IntentOverride(IntentClassifier, GraphComponent):
    """A stateless component that may replace the predicted intent (see `process`)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentOverride:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    @staticmethod
    def put_first(message: Message, intent: str) -> None:
        """Make `intent` the message's intent (confidence 1.0), first in its ranking."""
        top = {"name": intent, "confidence": 1.0}
        others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *others], add_to_output=True)
