"""A person's conversation so far, for a chat screen that was reloaded.

Rebuilt from Rasa's tracker (what was said with the assistant, after the
last "start over") and the hand-off store (what was said with peers), in
time order. Nothing extra is kept to make this possible.
"""

from __future__ import annotations

from typing import Any

import anyio

from bot.errors import RasaUnavailable
from bot.handoff.service import public_state, routes_to_peer
from bot.handoff.store import aware
from bot.messages import normalize
from bot.services import Services


def _rasa_items(events: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
    start = max((i for i, e in enumerate(events) if e.get("event") == "restart"), default=-1)
    items: list[tuple[float, dict[str, Any]]] = []
    for event in events[start + 1 :]:
        stamp = float(event.get("timestamp") or 0)
        if event.get("event") == "user":
            text = str(event.get("text") or "")
            if text and not text.startswith("/"):
                items.append((stamp, {"from": "me", "text": text}))
        elif event.get("event") == "bot":
            data = event.get("data") or {}
            entry = {"text": event.get("text"), "buttons": data.get("buttons")}
            if isinstance(data.get("custom"), dict):
                entry["custom"] = data["custom"]
            for message in normalize([entry]):
                items.append((stamp, {"from": "bot", **message.to_dict()}))
    return items


async def history(services: Services, channel: str, user_key: str) -> dict[str, Any]:
    """{"messages": [...], "handoff": state or None, "status"?}."""
    conv = services.conversations.conversation_id(channel, user_key)
    body: dict[str, Any] = {}
    try:
        items = _rasa_items(await services.rasa.tracker_events(conv))
    except RasaUnavailable:
        items, body["status"] = [], "degraded"
    store = services.handoff.store
    open_state = None
    for ticket in await anyio.to_thread.run_sync(store.tickets_for, conv):
        for message in await anyio.to_thread.run_sync(store.messages, ticket.id):
            stamp = (aware(message.created_at)).timestamp()  # type: ignore[union-attr]
            if message.sender == "person":
                items.append((stamp, {"from": "me", "text": message.text}))
            elif message.sender == "peer":
                items.append((stamp, {"from": "peer", "text": f"{ticket.peer_name}: {message.text}",
                                      "kind": "peer"}))  # fmt: skip
            else:
                items.append((stamp, {"from": "bot", "text": message.text, "kind": "handoff"}))
        if routes_to_peer(ticket) or ticket.state == "waiting":
            open_state = public_state(ticket)
    items.sort(key=lambda item: item[0])
    body["messages"] = [item for _, item in items]
    body["handoff"] = open_state
    return body
