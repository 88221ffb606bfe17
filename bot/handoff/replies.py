"""What PeerPath says to a person about their hand-off, in one place (in the person's
language where it is known: peerpath.catalogue)."""

from __future__ import annotations

from peerpath.catalogue import tr
from peerpath.protocol import Command, MessageKind
from peerpath.types import Button, OutMessage

CANCEL = Button("Cancel and go back to the assistant", Command.CANCEL_HANDOFF)
LEAVE_MESSAGE = Button("Leave a message for a peer", Command.LEAVE_MESSAGE)
NO_THANKS = Button("No thanks, back to the assistant", Command.CANCEL_HANDOFF)
BACK = Button("Back to the assistant", Command.END_HANDOFF)


SOON = "as soon as possible"
WITHIN = "usually within about {minutes} minutes"
WAITING = (
    "I've let the peer team know. A peer supporter will join here {soon}. "
    "You can keep writing while you wait; they'll see your messages when they join."
)
OFFLINE = (
    "Our peer supporters are available {hours}, and nobody is on right now, "
    "I'm sorry. The next chance is {next_time}. You can leave a message and a way "
    "to reach you, and a peer will get back to you. Meanwhile I'm still here to "
    "answer questions."
)


def _buttons(lang: str, *buttons: Button) -> tuple[Button, ...]:
    return tuple(Button(tr(lang, b.title), b.payload) for b in buttons)


def waiting(wait_minutes: int, urgent: bool, lang: str = "en") -> OutMessage:
    soon = tr(lang, SOON) if urgent else tr(lang, WITHIN, minutes=wait_minutes)
    return OutMessage(
        text=tr(lang, WAITING, soon=soon),
        buttons=_buttons(lang, CANCEL),
        kind=MessageKind.HANDOFF,
    )


def offline(hours: str, next_time: str, lang: str = "en") -> OutMessage:
    return OutMessage(
        text=tr(lang, OFFLINE, hours=hours, next_time=next_time),
        buttons=_buttons(lang, LEAVE_MESSAGE, NO_THANKS),
        kind=MessageKind.HANDOFF,
    )


NO_ONE_YET = (
    "I'm sorry, no peer has been able to pick this up yet. You can keep waiting, "
    "leave a message and a way to reach you, or go back to the assistant."
)


def no_one_yet(lang: str = "en") -> OutMessage:
    return OutMessage(
        text=tr(lang, NO_ONE_YET),
        buttons=_buttons(lang, LEAVE_MESSAGE, CANCEL),
        kind=MessageKind.HANDOFF,
    )


ASK_MESSAGE = OutMessage(
    text=(
        "What would you like the peer to know? A sentence or two is plenty, and you "
        "don't need to share anything private."
    ),
    kind=MessageKind.HANDOFF,
)
ASK_CONTACT = OutMessage(
    text=(
        "How can a peer reach you? An email address or phone number works, or write "
        '"here" to get the reply in this chat.'
    ),
    kind=MessageKind.HANDOFF,
)
MESSAGE_LEFT = (
    "Thank you. Your message is saved for the peer team, and a peer will get back "
    "to you ({next_time}). You're back with the assistant in the meantime."
)


def message_left(next_time: str, lang: str = "en") -> OutMessage:
    return OutMessage(text=tr(lang, MESSAGE_LEFT, next_time=next_time), kind=MessageKind.HANDOFF)


def speak(message: OutMessage, lang: str) -> OutMessage:
    """A fixed hand-off message in the person's language (the ticket's)."""
    if lang == "en" or message.kind == MessageKind.CRISIS:  # a crisis card is in its own language
        return message
    return OutMessage(
        text=tr(lang, message.text),
        buttons=_buttons(lang, *message.buttons),
        kind=message.kind,
    )


JOINED = "{peer_name}, a peer supporter, has joined. Anything you write now goes to them."


def joined(peer_name: str, lang: str = "en") -> OutMessage:
    return OutMessage(
        text=tr(lang, JOINED, peer_name=peer_name),
        buttons=_buttons(lang, BACK),
        kind=MessageKind.HANDOFF,
    )


def from_peer(peer_name: str, text: str) -> OutMessage:
    return OutMessage(text=f"{peer_name}: {text}", kind=MessageKind.PEER)


CANCELLED = OutMessage(
    text="Okay, I've cancelled the request. You're back with the assistant.",
    kind=MessageKind.HANDOFF,
)
ENDED = OutMessage(
    text=(
        "The chat with the peer has ended. You're back with the assistant now. "
        "You can ask for a peer again any time."
    ),
    kind=MessageKind.HANDOFF,
)
EXPIRED = OutMessage(
    text=(
        "Your request for a peer has closed because nobody could pick it up in time. "
        "I'm sorry. You're back with the assistant, and you can ask again any time."
    ),
    kind=MessageKind.HANDOFF,
)
SENT = OutMessage(
    text="Sent to the peer team. They'll see it when they join.", kind=MessageKind.HANDOFF
)
# The hand-off store can't be reached (its database is down): no ticket can be opened.
UNREACHABLE = OutMessage(
    text=(
        "I can't reach the peer team right now, and I'm sorry. Please try again in a few "
        "minutes. If you need someone now, you can call or text 988 (Suicide & Crisis "
        "Lifeline) any time, or text HOME to 741741."
    ),
    kind=MessageKind.HANDOFF,
)

RATE = "How was your chat with the peer? Tap a number from 1 (not good) to 5 (very good)."
SKIP_RATING = "Skip"
RATED = "Thank you. Your rating helps the peer team."
NOT_RATED = "That's fine. I'm here if you need anything else."


def rate(lang: str = "en") -> OutMessage:
    """After a peer chat: a rating from 1 to 5, or skip it."""
    stars = tuple(Button(f"{n} ★", f'{Command.RATE_HANDOFF}{{"stars": {n}}}') for n in range(1, 6))
    skip = Button(tr(lang, SKIP_RATING), f'{Command.RATE_HANDOFF}{{"stars": 0}}')
    return OutMessage(text=tr(lang, RATE), buttons=(*stars, skip), kind=MessageKind.HANDOFF)


def rated(stars: int, lang: str = "en") -> OutMessage:
    return OutMessage(text=tr(lang, RATED if stars else NOT_RATED), kind=MessageKind.HANDOFF)
