"""A direct question about benefits or trainings is answered; asked-for flows start.

The NLU's `start_benefits_check` and `find_training` start guided flows (Rasa
forms). When the message is a direct question that asks for no walk-through
(peerpath.flows), this component gives it the matching topic intent instead,
so it is answered from the knowledge base and the flow is offered as a button.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from peerpath.flows import TOPIC_OF_FLOW, direct_question
from rasa_addons.intent_override import IntentOverride


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FlowRequestClassifier(IntentOverride):
    """Turns a flow intent into its topic intent for direct questions."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            topic = TOPIC_OF_FLOW.get(intent.get("name") or "")
            text = message.get(TEXT) or ""
            if topic is None or text.startswith("/") or not direct_question(text):
                continue
            top = {"name": topic, "confidence": intent.get("confidence", 1.0)}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != topic]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking[1:]], add_to_output=True)
        return messages
