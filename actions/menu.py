"""The menu: what PeerPath can help with, as buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

MENU_TEXT = "Here's what I can help with. Pick one, or ask in your own words:"

MENU: tuple[tuple[str, str], ...] = (
    ("What a vocational peer specialist does", "What does a vocational peer specialist do?"),
    ("Trainings and certification", "How do I get trained and certified as a peer specialist?"),
    ("Working while on benefits", "Can I work while I'm on disability benefits?"),
    ("Wages and careers", "How much do peer specialists earn?"),
)


def menu_buttons() -> list[dict[str, str]]:
    """The menu's buttons, in the order people most often need them."""
    return [{"title": title, "payload": payload} for title, payload in MENU]


class ActionShowMenu(Action):
    """Shows what PeerPath can help with, as buttons."""

    def name(self) -> str:
        return "action_show_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=MENU_TEXT, buttons=menu_buttons())
        return []
