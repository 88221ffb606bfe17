"""Small conversation that real users have: repeat, start over, feedback."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Knowledge, knowledge
from peerpath.feedback import FeedbackStore
from peerpath.protocol import HELP, PEER_BUTTON

logger = logging.getLogger(__name__)

NOTHING_TO_REPEAT = "I haven't said anything yet. What would you like to know?"
THANKS_HELPFUL = "Thank you, I'm glad it helped."
SORRY_NOT_HELPFUL = (
    "I'm sorry that missed the mark. You could ask it another way, in your own words, "
    "or talk it over with a peer."
)
NOT_HELPFUL_BUTTONS = [
    PEER_BUTTON.to_dict(),
    {"title": "Show the menu", "payload": HELP},
]
FEEDBACK_QUESTION = "Was this helpful?"
FEEDBACK_BUTTONS = [
    {"title": "Yes, helpful", "payload": '/feedback{"helpfulness": "yes"}'},
    {"title": "Not really", "payload": '/feedback{"helpfulness": "no"}'},
]


def last_bot_turn(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot messages sent between the last two things the person said."""
    users_seen = 0
    turn: list[dict[str, Any]] = []
    for event in reversed(events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                break
        elif event.get("event") == "bot" and users_seen == 1:
            turn.append(event)
    return list(reversed(turn))


class ActionRepeat(Action):
    """Says again what PeerPath said last."""

    def name(self) -> str:
        return "action_repeat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = last_bot_turn(tracker.events)
        if not turn:
            dispatcher.utter_message(text=NOTHING_TO_REPEAT)
        for event in turn:
            data = event.get("data") or {}
            dispatcher.utter_message(
                text=event.get("text"),
                buttons=data.get("buttons") or [],
                json_message=data.get("custom"),
            )
        return []


class ActionStartOver(Action):
    """Forgets this conversation's state (slots, forms) and greets afresh."""

    def name(self) -> str:
        return "action_start_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [Restarted(), FollowupAction("action_greet")]


class ActionRecordFeedback(Action):
    """Counts a helpful/not helpful for the section shown last; offers help if not."""

    def __init__(self, kb: Knowledge | None = None, store: FeedbackStore | None = None) -> None:
        self._kb = kb
        self._store = store

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        said = [e.get("value") for e in tracker.latest_message.get("entities") or []]
        helpful = "no" not in said
        kb = self._kb or knowledge()
        chunk_id = tracker.get_slot("kb_last")
        passage = kb.index.passage(chunk_id) if chunk_id else None
        if passage is not None:
            store = self._store or kb.feedback()
            store.record(passage.chunk_id, passage.doc_id, passage.heading, helpful)
            logger.info("feedback.recorded helpful=%s chunk=%s", helpful, passage.chunk_id)
        if helpful:
            dispatcher.utter_message(text=THANKS_HELPFUL)
        else:
            dispatcher.utter_message(text=SORRY_NOT_HELPFUL, buttons=NOT_HELPFUL_BUTTONS)
        return []
