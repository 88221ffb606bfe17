"""A counselor's list for a client: passages and directory entries, in order, with a note.

Built on /resources and kept by id only (bot/handoff/store.py `SharedList`): no
client name or data is asked for or stored. The link is an unguessable id that
works until the list expires (SHARED_LIST_DAYS); the page prints on paper, and
the plain text goes into an e-mail or a text message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peerpath.errors import BadRequest
from peerpath.resources import Directory
from peerpath.search.index import KnowledgeIndex

MAX_ITEMS = 20
MAX_NOTE = 500
KINDS = ("passage", "resource")


@dataclass(frozen=True)
class ListItem:
    """One entry of a list, as the page and the text show it."""

    kind: str
    id: str
    title: str
    detail: str  # a passage's text, an entry's description
    url: str = ""
    contact: str = ""  # an entry's phone and text line

    def to_dict(self) -> dict[str, str]:
        return {key: value for key, value in self.__dict__.items() if value}


def checked_items(raw: Any, index: KnowledgeIndex, directory: Directory) -> list[dict[str, str]]:
    """The items a counselor sent, each one a passage or entry that exists (else 400)."""
    if not isinstance(raw, list) or not raw:
        raise BadRequest("items must be a list of 1 to 20 passages or resources.")
    if len(raw) > MAX_ITEMS:
        raise BadRequest(f"A list holds at most {MAX_ITEMS} items.")
    items: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise BadRequest('Each item is {"kind": "passage" or "resource", "id": "..."}.')
        item_id = item.get("id")
        known = isinstance(item_id, str) and (
            index.passage(item_id) if item["kind"] == "passage" else directory.get(item_id)
        )
        if not known:
            raise BadRequest(f"No {item['kind']} has the id {str(item_id)[:100]!r}.")
        entry = {"kind": str(item["kind"]), "id": str(item_id)}
        if entry not in items:
            items.append(entry)
    return items


def checked_note(raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BadRequest("note must be text.")
    note = raw.strip()
    if len(note) > MAX_NOTE:
        raise BadRequest(f"The note may be at most {MAX_NOTE} characters.")
    return note


def resolve(
    items: list[dict[str, str]], index: KnowledgeIndex, directory: Directory, public_url: str
) -> list[ListItem]:
    """The items as they read today (one gone from the knowledge base is left out)."""
    out: list[ListItem] = []
    for item in items:
        if item["kind"] == "passage":
            passage = index.passage(item["id"])
            if passage is None:
                continue
            anchor = f"#{passage.anchor}" if passage.anchor else ""
            title = f"{passage.title}: {passage.heading}" if passage.heading else passage.title
            url = f"{public_url}/kb/{passage.doc_id}{anchor}"
            out.append(ListItem("passage", item["id"], title, passage.text, url))
        else:
            resource = directory.get(item["id"])
            if resource is None:
                continue
            contact = " · ".join(
                part for part in (
                    f"Call {resource.phone}" if resource.phone else "",
                    f"Text {resource.text}" if resource.text else "",
                ) if part
            )  # fmt: skip
            out.append(ListItem("resource", item["id"], resource.name, resource.description,
                                resource.url, contact))  # fmt: skip
    return out


def as_text(items: list[ListItem], note: str) -> str:
    """The list as plain text, to paste into an e-mail or a text message."""
    lines = ["Resources for you", ""]
    if note:
        lines += [note, ""]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item.title}")
        if item.contact:
            lines.append(f"   {item.contact}")
        if item.url:
            lines.append(f"   {item.url}")
    lines += ["", "If you are in crisis, call or text 988 (in an emergency, 911)."]
    return "\n".join(lines) + "\n"
