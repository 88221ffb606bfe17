"""The gateway's safety grade decides crisis; Rasa's classifier can't overrule it.

The gateway grades every message before Rasa (bot/safety) and sends the
grade in the message metadata (peerpath.protocol.MessageMeta):

- `crisis`: the intent becomes `crisis`, whatever the classifier guessed, so
  Rasa's rules end a running form and set `urgent` (the person already has
  the crisis reply from the gateway).
- `sensitive`: suicide, overdose or self-harm named in the past, in someone
  else's story, or as a subject of work or study. If the classifier says
  `crisis`, the next intent in its ranking takes its place (or the NLU
  fallback, if that one is unsure), so the question is answered, not taken over.
- `none`, or no grade (a client that doesn't go through the gateway): the
  classifier's intent stands, crisis included. A crisis the net missed is
  still caught here: the two layers disagree only towards safety.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA
from rasa.shared.nlu.training_data.message import Message

from peerpath.protocol import Intent, MessageMeta, Safety
from rasa_addons.intent_override import IntentOverride


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyVerdictClassifier(IntentOverride):
    """Applies the gateway's crisis/sensitive grade to the predicted intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            meta = MessageMeta.from_metadata(message.get(METADATA))
            if meta is None:
                continue
            if meta.safety == Safety.CRISIS:
                self.put_first(message, str(Intent.CRISIS))
            elif meta.safety == Safety.SENSITIVE:
                intent = message.get(INTENT) or {}
                if intent.get("name") == Intent.CRISIS:
                    ranking = message.get(INTENT_RANKING_KEY) or []
                    others = [r for r in ranking if r.get("name") != Intent.CRISIS]
                    fallback = {"name": "nlu_fallback", "confidence": 0.0}
                    message.set(INTENT, others[0] if others else fallback, add_to_output=True)
                    message.set(INTENT_RANKING_KEY, others, add_to_output=True)
        return messages
