"""The training finder: region, topic and format -> entries from resources.yml.

Honest about gaps: when nothing is listed for a place or topic it says so
and offers the nearest alternatives (national entries, other states), and it
never claims a format the directory doesn't record.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import parsing
from actions.buttons import inform
from actions.forms import AskWithButtons, checked
from actions.services import Knowledge, knowledge
from peerpath.protocol import PEER_BUTTON, Intent, MessageKind, payload
from peerpath.resources import Resource

ASK_REGION = 'Which state are you in? You can also say "anywhere" if online is fine.'
REGION_BUTTONS = inform(
    "us_state",
    [("Vermont", "Vermont"), ("Connecticut", "Connecticut"), ("New York", "New York"),
     ("Anywhere / online", "anywhere")],
)  # fmt: skip
ASK_TOPIC = "What kind of training are you looking for?"
TOPIC_BUTTONS = inform(
    "training_topic",
    [("Peer specialist certification", "certification"), ("WRAP", "wrap"),
     ("Intentional Peer Support", "intentional_peer_support"),
     ("Supervision and leadership", "supervision"), ("Telehealth skills", "telehealth"),
     ("Wellness", "wellness"), ("Anything", "any")],
)  # fmt: skip
ASK_FORMAT = "Would you like it online, in person, or either?"
FORMAT_BUTTONS = inform(
    "training_format", [("Online", "online"), ("In person", "in_person"), ("Either", "either")]
)
UNKNOWN_STATE = (
    "I don't know that place. Could you type the full name of a US state, like "
    'Vermont, or say "anywhere"?'
)
UNCLEAR = "I didn't quite catch that. Could you pick one of these?"

TOPIC_NAMES = {
    "certification": "peer specialist certification",
    "wrap": "WRAP (Wellness Recovery Action Plan)",
    "intentional_peer_support": "Intentional Peer Support",
    "supervision": "supervision and leadership",
    "telehealth": "telehealth skills",
    "wellness": "wellness",
    "any": "peer support",
}
# How a topic is recognised in the directory: tags, or words in name/description.
TOPIC_MATCH: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "certification": (("certification",), ("certification", "credential")),
    "wrap": ((), ("wrap", "wellness recovery action plan")),
    "intentional_peer_support": ((), ("intentional peer support",)),
    "supervision": (("supervision",), ("supervisor", "supervision", "leadership")),
    "telehealth": (("telehealth",), ("telehealth", "technology")),
    "wellness": (("wellness",), ("wellness",)),
    "any": (("training",), ("training",)),
}
FORMAT_NAMES = {"online": "online", "in_person": "in person", "either": "online or in person"}


def matches_topic(resource: Resource, topic: str) -> bool:
    tags, words = TOPIC_MATCH.get(topic, TOPIC_MATCH["any"])
    text = f"{resource.name} {resource.description}".lower()
    return resource.kind != "hotline" and (
        any(tag in resource.topics for tag in tags) or any(word in text for word in words)
    )


def matches_format(resource: Resource, wanted: str) -> bool:
    """Entries that don't record a format are kept (and said to be unknown)."""
    if wanted == "either" or not resource.formats:
        return True
    return wanted in resource.formats or (wanted == "in_person" and "in-person" in resource.formats)


def find(
    kb: Knowledge, region: str, topic: str, wanted: str
) -> tuple[list[Resource], list[Resource], list[Resource]]:
    """(in the region, national, elsewhere): matching entries, best first."""
    entries = [
        r for r in kb.directory.resources if matches_topic(r, topic) and matches_format(r, wanted)
    ]
    local = [r for r in entries if region != parsing.ANYWHERE and r.region == region]
    national = [r for r in entries if r.national]
    elsewhere = [r for r in entries if r not in local and r not in national]
    return local, national, elsewhere


def entry_line(resource: Resource) -> str:
    contact = " ".join(p for p in (resource.url, resource.phone and f"({resource.phone})") if p)
    where = "" if resource.national else f" [{resource.region}]"
    return f"• {resource.name}{where}: {resource.description}" + (f" {contact}" if contact else "")


def sources(resources: list[Resource]) -> list[dict[str, str]]:
    return [{"title": r.name, "url": r.url} for r in resources if r.url]


class ValidateTrainingForm(FormValidationAction):
    """Reads a state (or 'anywhere'), a training topic and a format; asks again if unclear."""

    def name(self) -> str:
        return "validate_training_form"

    def validate_training_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        region = parsing.us_state(value if isinstance(value, str) else None)
        return checked("training_region", region, dispatcher, UNKNOWN_STATE)

    def validate_training_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        topic = parsing.training_topic(value if isinstance(value, str) else None)
        return checked("training_topic", topic, dispatcher, UNCLEAR)

    def validate_training_format(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        wanted = parsing.training_format(value if isinstance(value, str) else None)
        return checked("training_format", wanted, dispatcher, UNCLEAR)


class ActionAskTrainingRegion(AskWithButtons):
    """Asks which state the person is in (or anywhere)."""

    slot, text, buttons = "training_region", ASK_REGION, REGION_BUTTONS


class ActionAskTrainingTopic(AskWithButtons):
    """Asks which kind of training, with buttons."""

    slot, text, buttons = "training_topic", ASK_TOPIC, TOPIC_BUTTONS


class ActionAskTrainingFormat(AskWithButtons):
    """Asks online, in person or either."""

    slot, text, buttons = "training_format", ASK_FORMAT, FORMAT_BUTTONS


class ActionFindTraining(Action):
    """Lists matching trainings, or says honestly that none is listed and offers the nearest."""

    def __init__(self, kb: Knowledge | None = None) -> None:
        self._kb = kb

    def name(self) -> str:
        return "action_find_training"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = self._kb or knowledge()
        region = tracker.get_slot("training_region") or parsing.ANYWHERE
        topic = tracker.get_slot("training_topic") or "any"
        wanted = tracker.get_slot("training_format") or "either"
        local, national, elsewhere = find(kb, region, topic, wanted)
        what = TOPIC_NAMES.get(topic, "peer support")
        place = "" if region == parsing.ANYWHERE else f" in {region}"
        if local or (region == parsing.ANYWHERE and national):
            shown = local + national
            intro = f"Here's what I have for {what} trainings{place}:"
        elif national or elsewhere:
            shown = national or elsewhere
            where = "available nationally" if national else "in other states"
            intro = f"I don't have anything listed for {what}{place}. The nearest options, {where}:"
        else:
            shown = [r for r in kb.directory.resources if matches_topic(r, "any")][:4]
            intro = (
                f"I don't have a {what} training listed anywhere, I'm sorry. These groups "
                "offer or know about peer trainings and may be able to point you further:"
            )
        lines = [intro, *(entry_line(r) for r in shown[:6])]
        if any(not r.formats for r in shown) and wanted != "either":
            lines.append(
                f"My directory doesn't say whether these run {FORMAT_NAMES[wanted]}, "
                "so it's worth asking them."
            )
        dispatcher.utter_message(
            text="\n".join(lines),
            json_message={"kind": MessageKind.RESOURCES, "sources": sources(shown[:6])},
            buttons=[
                {"title": "Search again", "payload": payload(Intent.FIND_TRAINING)},
                PEER_BUTTON.to_dict(),
            ],
        )
        return [
            SlotSet("training_region", None),
            SlotSet("training_topic", None),
            SlotSet("training_format", None),
        ]
