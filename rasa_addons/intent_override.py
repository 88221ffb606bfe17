"""The shape shared by the components that correct the classifier's intent afterwards.

HumanRequestClassifier, FlowRequestClassifier and SafetyVerdictClassifier
train nothing and keep no state: they only read each message (its text, or
the gateway's metadata) and may put another intent first. Each defines
`process`; creating them and passing training data through is here, once.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
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
