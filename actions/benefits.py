"""The benefits check: a short guided flow about working while on benefits.

Two questions (which benefits; working now or thinking about it), then
general information from the knowledge base that fits the answers, the plain
note that it is not legal or financial advice, free benefits counseling
contacts from the resource directory, and an offer to talk to a peer. It
never tells a person what to do with their benefits.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import parsing
from actions.buttons import inform
from actions.forms import AskWithButtons, checked
from actions.services import Knowledge, knowledge
from actions.showing import from_line, source_of
from peerpath.protocol import HELP, PEER_BUTTON, MessageKind
from peerpath.search.answers import short_answer

ASK_PROGRAM = "Which benefits do you get? It's fine to say you're not sure."
PROGRAM_BUTTONS = inform(
    "benefit_program",
    [("SSI", "SSI"), ("SSDI", "SSDI"), ("Both SSI and SSDI", "both"),
     ("Something else", "other"), ("I'm not sure", "not_sure")],
)  # fmt: skip
ASK_WORK = "Are you working now, or thinking about a job or more hours?"
WORK_BUTTONS = inform(
    "work_status",
    [("I'm working now", "working"), ("Thinking about a job", "considering"),
     ("Thinking about more hours", "more_hours"), ("Not working right now", "not_working")],
)  # fmt: skip
UNCLEAR = "I didn't quite catch that. Could you pick one of these?"
INTRO = (
    "Thank you. Here is general information that fits what you told me. It isn't legal "
    "or financial advice, and it can't say what will happen with your own benefits; "
    "only a benefits counselor who looks at your situation can do that."
)
COUNSELING = "Free, confidential benefits counseling:"
OFFER_PEER = "Would you like to talk any of this through with a peer?"
OFFER_BUTTONS = [
    PEER_BUTTON.to_dict(),
    {"title": "Back to the menu", "payload": HELP},
]

# The knowledge-base questions that fit each answer, in the order shown.
PROGRAM_QUESTIONS = {
    "SSI": ["How does SSI treat earnings when I work?"],
    "SSDI": ["What is the SSDI trial work period?"],
    "both": ["How do SSI and SSDI treat earnings differently?"],
    "other": ["Can I keep Medicaid or Medicare if I go to work?"],
    "not_sure": ["Can I work while getting disability benefits?"],
}
WORK_QUESTIONS = {
    "working": "What should I bring or ask when I meet a benefits counselor?",
    "considering": "Why talk to a benefits counselor before taking a job or more hours?",
    "more_hours": "Why talk to a benefits counselor before taking a job or more hours?",
    "not_working": "What is the Ticket to Work program?",
}
COUNSELING_RESOURCES = ("wipa", "ticket-to-work", "social-security")


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [
        str(e.get("value"))
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == entity and e.get("value")
    ]


class ValidateBenefitsForm(FormValidationAction):
    """Turns answers into SSI/SSDI/both/other/not_sure and a work status, or asks again."""

    def name(self) -> str:
        return "validate_benefits_form"

    def validate_benefit_program(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        said = entity_values(tracker, "benefit_program")
        program = parsing.benefit_program(said or value)
        return checked("benefit_program", program, dispatcher, UNCLEAR)

    def validate_work_status(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        status = parsing.work_status(value if isinstance(value, str) else None)
        return checked("work_status", status, dispatcher, UNCLEAR)


class ActionAskBenefitProgram(AskWithButtons):
    """Asks which benefits the person gets, with buttons."""

    slot, text, buttons = "benefit_program", ASK_PROGRAM, PROGRAM_BUTTONS


class ActionAskWorkStatus(AskWithButtons):
    """Asks whether the person works now or is thinking about it, with buttons."""

    slot, text, buttons = "work_status", ASK_WORK, WORK_BUTTONS


def summary_questions(program: str, status: str) -> list[str]:
    questions = list(PROGRAM_QUESTIONS.get(program, PROGRAM_QUESTIONS["not_sure"]))
    work = WORK_QUESTIONS.get(status)
    if work and work not in questions:
        questions.append(work)
    return questions


def counseling_lines(kb: Knowledge) -> list[str]:
    lines = []
    for resource_id in COUNSELING_RESOURCES:
        resource = kb.directory.get(resource_id)
        if resource is not None and (resource.phone or resource.url):
            lines.append(f"• {resource.contact_line()}")
    return lines


class ActionBenefitsSummary(Action):
    """Gives general information that fits the answers, counseling contacts and a peer."""

    def __init__(self, kb: Knowledge | None = None) -> None:
        self._kb = kb

    def name(self) -> str:
        return "action_benefits_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = self._kb or knowledge()
        program = tracker.get_slot("benefit_program") or "not_sure"
        status = tracker.get_slot("work_status") or ""
        dispatcher.utter_message(text=INTRO)
        shown: set[str] = set()
        for question in summary_questions(program, status):
            hits = await asyncio.to_thread(
                kb.index.search, question, 1, topics=["benefits"], vector=kb.vector(question)
            )
            if not hits or hits[0].passage.chunk_id in shown:
                continue
            passage = hits[0].passage
            shown.add(passage.chunk_id)
            vector = kb.vector(question)
            sentences = kb.index.sentence_vectors(passage.chunk_id)
            answer = short_answer(passage, vector, sentences, question)
            dispatcher.utter_message(
                text=f"{answer}\n\n{from_line(passage)}",
                json_message={"kind": MessageKind.ANSWER, "sources": [source_of(kb, passage)]},
            )
        lines = counseling_lines(kb)
        if lines:
            dispatcher.utter_message(text="\n".join([COUNSELING, *lines]))
        dispatcher.utter_message(text=OFFER_PEER, buttons=OFFER_BUTTONS)
        return [SlotSet("benefit_program", None), SlotSet("work_status", None)]
