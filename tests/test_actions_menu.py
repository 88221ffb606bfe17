"""The menu action, run with a real dispatcher and a fresh tracker."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.menu import MENU_TEXT, ActionShowMenu
from tests.helpers.rasa import load_domain, new_tracker


async def test_menu_offers_buttons() -> None:
    dispatcher = CollectingDispatcher()
    tracker: Tracker = new_tracker(text="what can you do?", intent="help")
    events = await ActionShowMenu().run(dispatcher, tracker, load_domain())
    assert events == []
    [message] = dispatcher.messages
    assert message["text"] == MENU_TEXT
    assert len(message["buttons"]) >= 4
    assert all(button["title"] and button["payload"] for button in message["buttons"])


def test_menu_action_is_in_the_domain() -> None:
    assert ActionShowMenu().name() in load_domain()["actions"]


def test_every_action_class_and_domain_action_match() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    registered = {name for name in executor.actions if name != "action_ask_"}
    declared = {a for a in load_domain()["actions"] if a.startswith(("action_", "validate_"))}
    assert registered == declared
