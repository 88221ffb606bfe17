"""Plain requests for a human are `request_human`, whatever the classifier guessed.

The gateway runs the same check (peerpath/asking.py) when Rasa is down; running it
in the NLU too means Rasa keeps the promise for any client of its API, and a
request the classifier misreads ("humna", "peer supporter please") still gets
the hand-off offer. The offer asks for consent, so a rare false match costs
one question.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from peerpath.asking import asks_for_human
from rasa_addons.intent_override import IntentOverride

REQUEST_HUMAN = "request_human"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class HumanRequestClassifier(IntentOverride):
    """Overrides the intent with request_human when the text plainly asks for a person."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets request_human (confidence 1.0) on messages that ask for a person."""
        for message in messages:
            text = message.get(TEXT)
            if not text or not asks_for_human(text):
                continue
            self.put_first(message, REQUEST_HUMAN)
        return messages
