"""Fresh Rasa trackers, the real domain and the actions' knowledge for action tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

from actions.services import Knowledge
from peerpath.resources import Directory
from peerpath.search.index import KnowledgeIndex
from peerpath.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent


@cache
def _domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def load_domain() -> dict[str, Any]:
    """The project's real domain.yml, as the action server receives it."""
    return dict(_domain())


def new_tracker(
    text: str = "",
    intent: str = "",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: dict[str, Any] | None = None,
    sender_id: str = "test-user",
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker built fresh for one test, as Rasa would send it."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": slots or {},
            "latest_message": latest,
            "events": events or [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": active_loop or {},
            "latest_action_name": "action_listen",
        }
    )


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    """{slot: value} for the SlotSet events an action returned."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def knowledge_for(index: KnowledgeIndex, var_dir: Path) -> Knowledge:
    """The actions' Knowledge over `index`, with the real resource directory."""
    settings = Settings.from_env({"VAR_DIR": str(var_dir), "PUBLIC_URL": "https://peerpath.test"})
    directory = Directory.load(ROOT / "knowledge" / "resources.yml")
    return Knowledge(settings=settings, index=index, directory=directory)
