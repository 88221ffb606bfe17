"""Every text a person can see, in English: what the catalogue must say in Spanish.

Found where PeerPath keeps them: Rasa's responses (domain.yml), and the texts
and button titles the actions and the gateway say (module constants: a text
of several words, a button's title). Texts built with blanks are constants too
({name} filled in after the catalogue is read).

`python -m tests.helpers.catalogue` prints the texts the Spanish catalogue lacks.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from peerpath.types import Button, OutMessage

ROOT = Path(__file__).resolve().parents[2]
MODULES = (
    "actions.menu",
    "actions.knowledge",
    "actions.showing",
    "actions.conversation",
    "actions.benefits",
    "actions.training",
    "actions.handoff",
    "bot.conversations",
    "bot.channels.telegram.channel",
    "bot.rasa.replies",
    "bot.handoff.replies",
    "bot.language",
    "peerpath.protocol",
)
# dictionaries whose values are said inside a sentence ("you're {role}")
SAID_VALUES = frozenset({"ROLES"})
# constants that are search queries or data, not something said
NOT_SAID = frozenset(
    {"TOPIC_QUESTIONS", "PROGRAM_QUESTIONS", "WORK_QUESTIONS", "QUESTION", "IPS_BARE"}
)


def _titles(value: Any) -> Iterator[str]:
    if isinstance(value, Button):
        yield value.title
    elif isinstance(value, dict):
        if isinstance(value.get("title"), str) and "payload" in value:
            yield value["title"]
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _titles(item)


def _said(value: str) -> bool:
    return len(value.split()) >= 3 or value.rstrip().endswith((".", "?", ":", "!"))


def code_texts() -> set[str]:
    found: set[str] = set()
    for name in MODULES:
        module = importlib.import_module(name)
        for key, value in vars(module).items():
            if not key.isupper() or key.startswith("_") or key in NOT_SAID:
                continue
            if key in SAID_VALUES and isinstance(value, dict):
                found.update(v for v in value.values() if isinstance(v, str))
            elif isinstance(value, str) and _said(value) and not value.startswith("/"):
                found.add(value)
            elif isinstance(value, OutMessage):  # a fixed message: its text and buttons
                found.add(value.text)
                found.update(button.title for button in value.buttons)
            else:
                found.update(_titles(value))
    return found


def domain_texts() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    found: set[str] = set()
    for variations in domain.get("responses", {}).values():
        for variation in variations:
            if variation.get("text"):
                found.add(str(variation["text"]).strip())
            found.update(_titles(variation.get("buttons") or []))
    return found


def user_texts() -> set[str]:
    return code_texts() | domain_texts()


if __name__ == "__main__":
    from peerpath.catalogue import entries

    spanish = entries("es")
    missing = sorted(t for t in user_texts() if t not in spanish)
    print(yaml.safe_dump({t: "" for t in missing}, allow_unicode=True, width=100, sort_keys=True))
