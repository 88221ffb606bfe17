"""What the forms (benefits check, training finder) share: asking a question with
buttons, and keeping an answer only when it was understood."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class AskWithButtons(Action):
    """Asks one form question with its buttons (`action_ask_<slot>`)."""

    slot: ClassVar[str] = ""
    text: ClassVar[str] = ""
    buttons: ClassVar[list[dict[str, str]]] = []

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=self.text, buttons=self.buttons)
        return []


def checked(
    slot: str, value: str | None, dispatcher: CollectingDispatcher, unclear: str
) -> dict[str, Any]:
    """Fills `slot` with an understood answer; else says `unclear` and leaves the slot
    empty, so the form asks again with its buttons."""
    if value is None:
        dispatcher.utter_message(text=unclear)
    return {slot: value}
