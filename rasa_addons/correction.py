"""A correction of the last question is a question: it goes to the answer.

"no, i meant vermont" or "sorry, typo: wages" would read to the classifier as a
`deny`, `feedback` or a role; the person means their last question, put right.
Such a message becomes `nlu_fallback`, which the rules answer from the knowledge
base (action_answer_question puts the correction into the last question:
actions/followups.corrected).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from peerpath.corrections import correction
from rasa_addons.intent_override import IntentOverride

ANSWER = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CorrectionClassifier(IntentOverride):
    """Sends a correction of the last question to the knowledge answer."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/") or correction(text) is None:
                continue
            self.put_first(message, ANSWER)
        return messages
