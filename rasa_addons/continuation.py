"""A message that only asks to go on is `tell_me_more`, whatever the classifier guessed.

"ok next one" was once read as a goodbye ("Goodbye for now") in the middle of a
list; "keep going", "the next one", "y después" all mean: read on
(peerpath/continuing.py). Nothing with words of its own is touched: "next steps
for certification?" is a question.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from peerpath.continuing import goes_on
from rasa_addons.intent_override import IntentOverride

TELL_ME_MORE = "tell_me_more"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ContinuationClassifier(IntentOverride):
    """Sends a request to go on to "tell me more"."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and not text.startswith("/") and goes_on(text):
                self.put_first(message, TELL_ME_MORE)
        return messages
