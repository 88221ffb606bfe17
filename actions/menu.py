"""Greeting, the menu, and who PeerPath is talking to.

Who is asking (the `role` slot) is never required: it only shapes the menu
and favours articles written for that audience.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import followups
from actions.knowledge import answer, with_role_said
from actions.services import Knowledge, knowledge
from actions.speaking import language_of
from peerpath.catalogue import tr
from peerpath.protocol import PEER_BUTTON, Intent, payload

GREETING = (
    "Hi, I'm PeerPath. I share information about peer support work: what vocational "
    "peer specialists do, trainings, wages and careers, and working while on disability "
    "benefits. Every answer tells you where it comes from, and you can talk to a real "
    "peer any time."
)
ASK_ROLE = "So I can point you to the right things: who am I talking with? (You can skip this.)"
MENU_TEXT = "Here's what I can help with. Pick one, or ask in your own words:"

BROWSING = "Welcome, browse as you like. Nothing here needs you to sign up."
ROLE_NOTED = "Thanks. I'll keep in mind that you're {role}."
ROLES = {
    "job_seeker": "someone looking for work",
    "peer_specialist": "a peer specialist",
    "counselor": "a vocational rehabilitation counselor",
    "employer": "an employer or supervisor",
    "browsing": "just browsing",
}
ROLE_BUTTONS = [
    {"title": "I'm looking for work", "payload": '/set_role{"user_role": "job_seeker"}'},
    {"title": "I'm a peer specialist", "payload": '/set_role{"user_role": "peer_specialist"}'},
    {"title": "I'm a VR counselor", "payload": '/set_role{"user_role": "counselor"}'},
    {"title": "I'm an employer or supervisor", "payload": '/set_role{"user_role": "employer"}'},
    {"title": "Just browsing", "payload": '/set_role{"user_role": "browsing"}'},
]

PEER = (PEER_BUTTON.title, PEER_BUTTON.payload)
MENUS: dict[str, tuple[tuple[str, str], ...]] = {
    "job_seeker": (
        ("What a vocational peer specialist does", "/ask_role"),
        ("Working while on benefits", "/start_benefits_check"),
        ("Find a training", "/find_training"),
        ("Wages and careers", "/ask_wages"),
        PEER,
    ),
    "peer_specialist": (
        ("Trainings and certification", "/ask_training"),
        ("Find a training", "/find_training"),
        ("Wages and negotiating pay", "/ask_wages"),
        ("Career ladders", "/ask_careers"),
        ("Supervision", "/ask_supervision"),
        ("Wellness at work", "/ask_wellness"),
        PEER,
    ),
    "counselor": (
        ("The vocational peer specialist role", "/ask_role"),
        ("Working while on benefits", "/start_benefits_check"),
        ("Find a training for a client", "/find_training"),
        ("Resources and contacts", "/find_resource"),
        PEER,
    ),
    "employer": (
        ("Preparing to add peers", "/ask_employers"),
        ("Supervising peers", "/ask_supervision"),
        ("Fair wages", "/ask_wages"),
        ("Telehealth skills and equipment", "/ask_telehealth"),
        PEER,
    ),
    "": (
        ("What a vocational peer specialist does", "/ask_role"),
        ("Trainings and certification", "/ask_training"),
        ("Working while on benefits", "/start_benefits_check"),
        ("Wages and careers", "/ask_wages"),
        ("The coalition", "/ask_coalition"),
        PEER,
    ),
}


def menu_buttons(role: str | None) -> list[dict[str, str]]:
    """The menu for who is asking (the general menu when we don't know)."""
    items = MENUS.get(role or "", MENUS[""])
    return [{"title": title, "payload": payload} for title, payload in items]


class ActionGreet(Action):
    """Greets the person; asks who they are the first time, else shows their menu."""

    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=GREETING)
        role = tracker.get_slot("role")
        if role in ROLES:
            dispatcher.utter_message(text=MENU_TEXT, buttons=menu_buttons(role))
        else:
            dispatcher.utter_message(text=ASK_ROLE, buttons=ROLE_BUTTONS)
        return []


class ActionShowMenu(Action):
    """Shows what PeerPath can help with, as buttons fitted to who is asking."""

    def name(self) -> str:
        return "action_show_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        buttons = menu_buttons(tracker.get_slot("role"))
        if tracker.get_slot("role") not in ROLES:
            buttons.append({"title": "Tell PeerPath who I am", "payload": payload(Intent.SET_ROLE)})
        dispatcher.utter_message(text=MENU_TEXT, buttons=buttons)
        return []


# a role said with this many words of situation besides: the next follow-up leans on them
SITUATION_WORDS = 5


class ActionSetRole(Action):
    """Remembers who is asking (or asks, if it wasn't clear); answers a question said with it.

    "btw I'm a peer specialist now, is there any way to move up?" stores the role
    and answers the question for that audience; a bare role gets the menu.
    """

    def name(self) -> str:
        return "action_set_role"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        said = [e.get("value") for e in tracker.latest_message.get("entities") or []]
        parsed = followups.role_said(text)
        role = next((value for value in said if value in ROLES), None)
        role = role or (parsed.role if parsed else None)
        if role is None:  # "I want to change who I am", or a role we don't know
            dispatcher.utter_message(text=ASK_ROLE, buttons=ROLE_BUTTONS)
            return []
        if parsed is not None and followups.is_question(parsed.rest):
            kb = knowledge()
            question = await asyncio.to_thread(with_role_said, kb, tracker, text, parsed.rest, role)
            events = await answer(dispatcher, kb, tracker, question, role=role) or []
            return [SlotSet("role", role), *events]
        lang = language_of(tracker)
        if role == "browsing":
            text = tr(lang, BROWSING)
        else:
            text = tr(lang, ROLE_NOTED, role=tr(lang, ROLES[role]))
        dispatcher.utter_message(text=text)
        dispatcher.utter_message(text=MENU_TEXT, buttons=menu_buttons(role))
        events = [SlotSet("role", role)]
        if parsed is not None and len(parsed.rest.split()) >= SITUATION_WORDS:
            # "i'm a clinical director and my nurses worry peers will take their jobs":
            # what "how do i handle that?" next leans on
            events.append(SlotSet("kb_question", parsed.rest))
        return events


class ActionOutOfScope(Action):
    """Off-topic for the NLU: a follow-up that finds its answer with the previous question
    ("when did it come out?"), or a question search clearly matches, is answered; anything
    else gets the honest reply and the menu."""

    def __init__(self, kb: Knowledge | None = None) -> None:
        self._kb = kb

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = (tracker.latest_message.get("text") or "").strip()
        kb = self._kb or knowledge()
        if question and not question.startswith("/"):
            events = await answer(dispatcher, kb, tracker, question, off_topic=True)
            if events is not None:
                return events
        dispatcher.utter_message(response="utter_out_of_scope")
        return await ActionShowMenu().run(dispatcher, tracker, domain)


class ActionDefaultFallback(Action):
    """A turn no rule or story covers ("ok", "no", "sure" with nothing open, "no, i meant
    vermont"): a correction of the last question is answered with the correction put in,
    a question is answered if search finds it, anything else gets a short "anything
    else?" and the menu. Never silence: an empty turn looks like an outage."""

    def __init__(self, kb: Knowledge | None = None) -> None:
        self._kb = kb

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # Rasa's own fallback undoes the turn, so its policies listen next; this one keeps
        # the turn, and says what comes next itself.
        listen = [FollowupAction("action_listen")]
        text = (tracker.latest_message.get("text") or "").strip()
        kb = self._kb or knowledge()
        if text and not text.startswith("/"):
            fixed = followups.corrected(tracker.get_slot("kb_question") or "", text)
            if fixed is not None:
                return (await answer(dispatcher, kb, tracker, fixed) or []) + listen
            if followups.is_question(text):
                events = await answer(dispatcher, kb, tracker, text, off_topic=True)
                if events is not None:
                    return events + listen
        dispatcher.utter_message(response="utter_anything_else")
        return await ActionShowMenu().run(dispatcher, tracker, domain) + listen
