"""The written protocol between the processes agrees with what Rasa is trained on."""

from __future__ import annotations

import yaml

from peerpath.protocol import Intent
from peerpath.settings import PROJECT_ROOT


def test_the_protocols_intents_are_exactly_the_domains() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert {str(intent) for intent in Intent} == set(domain["intents"])
