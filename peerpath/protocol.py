"""The written protocol between PeerPath's three processes.

    gateway ── REST channel ──▶ Rasa ── webhook ──▶ action server
      text, or a payload ("/intent", '/intent{"entity": "value"}')
      metadata {"peerpath": MessageMeta}       (tracker.latest_message["metadata"])
    gateway ◀── Rasa's replies ───────────────── actions
      text and buttons, and a custom payload per message:
      {"kind": MessageKind, "sources": [...]}   how channels show it
      {"handoff": HandoffRequest}               "open a ticket", for the gateway to act on

Every payload, intent the gateway sends, message kind and ticket state is
named here once; the processes import these names instead of writing the
strings out. Python 3.10 compatible: Rasa's process imports it too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from peerpath.types import Button


class StrEnum(str, Enum):
    """A str-valued enum (enum.StrEnum needs Python 3.11; Rasa runs on 3.10)."""

    def __str__(self) -> str:
        return str(self.value)


class Intent(StrEnum):
    """Every intent in domain.yml (a test keeps the two equal).

    The gateway passes a payload to Rasa only when its intent is one of these.
    """

    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    BOT_CHALLENGE = "bot_challenge"
    HELP = "help"
    OUT_OF_SCOPE = "out_of_scope"
    AFFIRM = "affirm"
    DENY = "deny"
    STOP = "stop"
    REPEAT = "repeat"
    START_OVER = "start_over"
    FEEDBACK = "feedback"
    SET_ROLE = "set_role"
    ASK_ROLE = "ask_role"
    ASK_COMPETENCIES = "ask_competencies"
    ASK_TRAINING = "ask_training"
    ASK_BENEFITS = "ask_benefits"
    ASK_WAGES = "ask_wages"
    ASK_CAREERS = "ask_careers"
    ASK_SUPERVISION = "ask_supervision"
    ASK_WELLNESS = "ask_wellness"
    ASK_TELEHEALTH = "ask_telehealth"
    ASK_EMPLOYERS = "ask_employers"
    ASK_COALITION = "ask_coalition"
    FIND_RESOURCE = "find_resource"
    TELL_ME_MORE = "tell_me_more"
    START_BENEFITS_CHECK = "start_benefits_check"
    FIND_TRAINING = "find_training"
    INFORM = "inform"
    REQUEST_HUMAN = "request_human"
    CRISIS = "crisis"


def payload(intent: str, **entities: str) -> str:
    """'/intent', or '/intent{"entity": "value"}': what a button sends back."""
    return f"/{intent}" + (json.dumps(entities) if entities else "")


PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$", re.DOTALL)


def parse_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """(intent, entities) of a well-formed payload; None for anything else.

    Rasa reads a message starting with "/" as a payload. One it cannot parse
    is logged by Rasa with the whole text, so the gateway only passes on
    payloads this accepts.
    """
    match = PAYLOAD.match(text.strip())
    if match is None:
        return None
    entities: dict[str, Any] = {}
    if match["entities"]:
        try:
            entities = json.loads(match["entities"])
        except ValueError:
            return None
        if not isinstance(entities, dict):
            return None
    return match["intent"], entities


REQUEST_HUMAN = payload(Intent.REQUEST_HUMAN)
HELP = payload(Intent.HELP)
GREET = payload(Intent.GREET)
STOP = payload(Intent.STOP)
TELL_ME_MORE = payload(Intent.TELL_ME_MORE)
CRISIS = payload(Intent.CRISIS)


class Command(StrEnum):
    """Payloads the gateway answers itself, never Rasa."""

    CANCEL_HANDOFF = "/cancel_handoff"
    END_HANDOFF = "/end_handoff"
    LEAVE_MESSAGE = "/leave_message"
    # The crisis reply's button: connect to a peer at once, marked urgent.
    CONNECT_URGENT = "/connect_urgent"
    # After a peer chat: `/rate_handoff{"stars": 1..5}`, 0 to skip.
    RATE_HANDOFF = "/rate_handoff"


def crisis_topic(card: Card) -> str:
    """The topic of a ticket opened from a crisis reply: which card the person saw."""
    return f"crisis-{card}"


# What staff read for a ticket's topic (the console has the same words).
TOPIC_LABELS = {
    "work": "Work and jobs",
    "benefits": "Benefits",
    "training": "Trainings",
    "talk": "Just wants to talk",
    "other": "No topic given",
    "crisis-self": "Crisis: saw the crisis card (988 first)",
    "crisis-self-emergency": "Crisis: their own life in danger now (saw 911 first, Poison Control)",
    "crisis-bystander": "Crisis: someone else in danger (saw the bystander card, 911 first)",
}


class MessageKind(StrEnum):
    """What a message is, so every channel can show it fittingly."""

    ANSWER = "answer"  # from the knowledge base, with sources
    RESOURCES = "resources"  # entries of the resource directory
    CRISIS = "crisis"  # crisis resources, shown prominently
    CARE = "care"  # the quiet "988 is there any time" line
    HANDOFF = "handoff"  # news about a hand-off to a peer
    PEER = "peer"  # a peer's own words
    NOTICE = "notice"  # PeerPath is having trouble, or input was refused


class TicketState(StrEnum):
    """A hand-off ticket: waiting -> claimed -> ended, or cancelled / expired."""

    WAITING = "waiting"
    CLAIMED = "claimed"
    ENDED = "ended"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


OPEN_STATES = (TicketState.WAITING, TicketState.CLAIMED)
CLOSED_STATES = (TicketState.ENDED, TicketState.EXPIRED, TicketState.CANCELLED)


class Stage(StrEnum):
    """The person's step while nobody has joined their ticket yet."""

    NONE = ""
    OFFER = "offer"  # told nobody is on; may leave a message
    MESSAGE = "message"  # asked for the message
    CONTACT = "contact"  # asked how to reach them
    LEFT = "left"  # message left; back with the assistant


class Safety(StrEnum):
    """The gateway's grading of a message (bot/safety)."""

    CRISIS = "crisis"
    SENSITIVE = "sensitive"
    NONE = "none"


class Card(StrEnum):
    """Which crisis reply fits the person in danger (peerpath/crisis.py)."""

    SELF = "self"  # the person's own risk: 988 first
    SELF_EMERGENCY = "self-emergency"  # their own life in danger this minute: 911 first
    BYSTANDER = "bystander"  # someone else in danger: 911 first, what to do now

    @property
    def emergency(self) -> bool:
        """Whether 911 comes first."""
        return self is not Card.SELF

    @classmethod
    def read(cls, value: object) -> Card:
        """A card from a message's metadata or a button; the person's own card if unknown."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.SELF


@dataclass(frozen=True)
class HandoffRequest:
    """Rasa's "open a ticket" instruction, in a bot message's custom payload."""

    topic: str = "other"
    urgent: bool = False

    KEY = "handoff"

    def to_custom(self) -> dict[str, Any]:
        return {self.KEY: {"request": True, "topic": self.topic, "urgent": self.urgent}}

    @classmethod
    def from_custom(cls, custom: Any) -> HandoffRequest | None:
        """The request in one custom payload, or None if it holds none."""
        data = custom.get(cls.KEY) if isinstance(custom, dict) else None
        if not isinstance(data, dict) or not data.get("request"):
            return None
        return cls(topic=str(data.get("topic") or "other"), urgent=bool(data.get("urgent")))


METADATA = "peerpath"


@dataclass(frozen=True)
class MessageMeta:
    """What the gateway tells Rasa and the actions about a message, besides its text."""

    channel: str
    safety: str = Safety.NONE
    card: Card = Card.SELF  # with safety "crisis": the crisis reply that fits
    lang: str = "en"
    # The message's all-MiniLM-L6-v2 vector (peerpath.vectors), computed once by the gateway.
    vector: str = ""

    def to_metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "channel": self.channel,
            "safety": str(self.safety),
            "card": str(self.card),
            "lang": self.lang,
        }
        if self.vector:
            data["vector"] = self.vector
        return {METADATA: data}

    @classmethod
    def from_metadata(cls, metadata: Any) -> MessageMeta | None:
        """PeerPath's part of a message's metadata; None if the gateway didn't send it."""
        data = metadata.get(METADATA) if isinstance(metadata, dict) else None
        if not isinstance(data, dict):
            return None
        return cls(
            channel=str(data.get("channel") or ""),
            safety=str(data.get("safety") or Safety.NONE),
            card=Card.read(data.get("card")),
            lang=str(data.get("lang") or "en"),
            vector=str(data.get("vector") or ""),
        )


# The "Talk to a peer" button every answer, flow and fallback offers.
PEER_BUTTON = Button("Talk to a peer", REQUEST_HUMAN)
