"""Turn what Rasa's REST channel returns into PeerPath's message shape.

Rasa returns a bot message's text and buttons as one entry and its custom
payload (our `sources`, `kind`) as a separate entry right after it; this
module merges them back together.
"""

from __future__ import annotations

from typing import Any

from peerpath.protocol import HandoffRequest, MessageKind
from peerpath.types import Button, OutMessage, Source

CALM_UNAVAILABLE = (
    "I'm having trouble right now and can't answer properly. "
    "Please try again in a minute. If you need to talk to someone right away, "
    "you can call or text 988 (Suicide & Crisis Lifeline), any time."
)

STILL_WORKING = (
    "I'm still working on your earlier messages. One moment, please: the answers will appear here."
)
NOTHING_TO_ADD = "Okay. Is there something I can help you look into?"


def _buttons(raw: Any) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    buttons = []
    for item in raw:
        if isinstance(item, dict) and item.get("title") and item.get("payload"):
            buttons.append(Button(title=str(item["title"]), payload=str(item["payload"])))
    return tuple(buttons)


def _sources(raw: Any) -> tuple[Source, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Source.from_dict(item) for item in raw if isinstance(item, dict) and item.get("title")
    )


def _merge_custom(message: OutMessage, custom: dict[str, Any]) -> OutMessage:
    return OutMessage(
        text=message.text or str(custom.get("text") or ""),
        buttons=message.buttons or _buttons(custom.get("buttons")),
        sources=message.sources + _sources(custom.get("sources")),
        kind=message.kind or str(custom.get("kind") or ""),
    )


def handoff_requests(rasa_messages: list[dict[str, Any]]) -> list[HandoffRequest]:
    """Rasa's requests to open a hand-off ticket, in its messages' custom payloads."""
    found = []
    for entry in rasa_messages:
        if isinstance(entry, dict):
            request = HandoffRequest.from_custom(entry.get("custom"))
            if request is not None:
                found.append(request)
    return found


def normalize(rasa_messages: list[dict[str, Any]]) -> tuple[OutMessage, ...]:
    """Merge Rasa's separate text and custom entries into whole messages."""
    out: list[OutMessage] = []
    for entry in rasa_messages:
        if not isinstance(entry, dict):
            continue
        custom = entry.get("custom")
        if isinstance(custom, dict) and HandoffRequest.KEY in custom:
            custom = {k: v for k, v in custom.items() if k != HandoffRequest.KEY} or None
        if entry.get("text"):
            message = OutMessage(text=str(entry["text"]), buttons=_buttons(entry.get("buttons")))
            if isinstance(custom, dict):
                message = _merge_custom(message, custom)
            out.append(message)
        elif isinstance(custom, dict):
            if out and not custom.get("text"):
                out[-1] = _merge_custom(out[-1], custom)
            else:
                out.append(_merge_custom(OutMessage(), custom))
        elif entry.get("buttons") and out:
            last = out[-1]
            out[-1] = OutMessage(
                last.text, last.buttons + _buttons(entry["buttons"]), last.sources, last.kind
            )
    return tuple(message for message in out if message.text or message.buttons)


def unavailable() -> tuple[OutMessage, ...]:
    """The calm message shown when Rasa or the action server is down or slow."""
    return (OutMessage(text=CALM_UNAVAILABLE, kind=MessageKind.NOTICE),)


def still_working() -> tuple[OutMessage, ...]:
    """One person's own earlier messages are still running: "one moment", not an outage."""
    return (OutMessage(text=STILL_WORKING, kind=MessageKind.NOTICE),)
