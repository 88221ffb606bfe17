"""Asking for a human peer, and the crisis reply.

The conversation part lives here: consent, an optional topic (a category,
never the person's words), then a request the gateway acts on. The gateway
owns the queue (bot/handoff/), so Rasa only says "open a ticket" through the
message's custom payload, and every channel gets the same behaviour.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import parsing
from actions.buttons import inform
from peerpath.crisis import crisis_message
from peerpath.protocol import Card, HandoffRequest, MessageKind, MessageMeta

ASK_TOPIC = (
    "What would you like to talk about? This helps the right peer pick it up. You can skip it."
)
TOPIC_BUTTONS = inform(
    "handoff_topic",
    [("Work and jobs", "work"), ("Benefits", "benefits"), ("Trainings", "training"),
     ("I just want to talk", "talk"), ("Skip", "other")],
)  # fmt: skip


class ValidateHandoffForm(FormValidationAction):
    """Turns whatever was said about the topic into a category (never keeps the words)."""

    def name(self) -> str:
        return "validate_handoff_form"

    def validate_handoff_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return {"handoff_topic": parsing.handoff_topic(value if isinstance(value, str) else None)}


class ActionAskHandoffTopic(Action):
    """Asks, optionally, what the person would like to talk about."""

    def name(self) -> str:
        return "action_ask_handoff_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=ASK_TOPIC, buttons=TOPIC_BUTTONS)
        return []


class ActionStartHandoff(Action):
    """Asks the gateway to open a hand-off ticket (urgent after a crisis reply)."""

    def name(self) -> str:
        return "action_start_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        topic = tracker.get_slot("handoff_topic") or "other"
        urgent = bool(tracker.get_slot("urgent"))
        dispatcher.utter_message(json_message=HandoffRequest(topic, urgent).to_custom())
        return [SlotSet("handoff_topic", None), SlotSet("urgent", False)]


class ActionCrisisResponse(Action):
    """Gives crisis resources at once and offers a peer, marked urgent.

    In the person's language, with 911 first when someone is in danger now
    (the gateway's grade, in the message metadata, says which).
    """

    def name(self) -> str:
        return "action_crisis_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        meta = MessageMeta.from_metadata(tracker.latest_message.get("metadata"))
        message = crisis_message(meta.lang if meta else "en", meta.card if meta else Card.SELF)
        dispatcher.utter_message(
            text=message.text,
            buttons=[b.to_dict() for b in message.buttons],
            json_message={"kind": MessageKind.CRISIS},
        )
        return [SlotSet("urgent", True)]
