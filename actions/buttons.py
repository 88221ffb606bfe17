"""Buttons that answer a form question: each sends `/inform` with one entity."""

from __future__ import annotations

import json


def inform(entity: str, choices: list[tuple[str, str]]) -> list[dict[str, str]]:
    """[(title, value)] -> buttons whose payload fills `entity` with `value`."""
    return [
        {"title": title, "payload": "/inform" + json.dumps({entity: value})}
        for title, value in choices
    ]
