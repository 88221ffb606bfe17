"""Plain requests for a human are `request_human`, whatever the classifier guessed.

The gateway runs the same check (bot/handoff/asking.py) before Rasa; running it
in the NLU too means Rasa keeps the promise for any client of its API, and a
request the classifier misreads ("humna", "peer supporter please") still gets
the hand-off offer. The offer asks for consent, so a rare false match costs
one question.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from peerpath.asking import asks_for_human

REQUEST_HUMAN = "request_human"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class HumanRequestClassifier(IntentClassifier, GraphComponent):
    """Overrides the intent with request_human when the text plainly asks for a person."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HumanRequestClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets request_human (confidence 1.0) on messages that ask for a person."""
        for message in messages:
            text = message.get(TEXT)
            if not text or not asks_for_human(text):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            top = {"name": REQUEST_HUMAN, "confidence": 1.0}
            others = [entry for entry in ranking if entry.get("name") != REQUEST_HUMAN]
            message.set(INTENT, top, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, [top, *others][: max(len(ranking), 1)], add_to_output=True
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
