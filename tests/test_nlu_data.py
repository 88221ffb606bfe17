"""The NLU training data and the two sets it is tested on stay apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from peerpath.settings import PROJECT_ROOT
from tests.helpers.nlu import nlu_examples

TESTS = Path(__file__).resolve().parent
TRAINING = list(nlu_examples(PROJECT_ROOT / "data" / "nlu"))
DOMAIN_INTENTS = set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["intents"])


@pytest.mark.parametrize("name", ["nlu_test.yml", "nlu_blind.yml"])
def test_test_sets_share_no_example_with_training(name: str) -> None:
    trained = {text.lower() for _, text in TRAINING}
    tested = list(nlu_examples(TESTS / name))
    assert len(tested) > 250
    assert [text for _, text in tested if text.lower() in trained] == []
    assert {intent for intent, _ in tested} == DOMAIN_INTENTS


def test_every_intent_has_at_least_twenty_varied_examples() -> None:
    counts = Counter(intent for intent, _ in TRAINING)
    assert set(counts) == DOMAIN_INTENTS
    assert min(counts.values()) >= 20, counts.most_common()[-3:]


def test_no_example_is_given_two_intents() -> None:
    intents: dict[str, set[str]] = {}
    for intent, text in TRAINING:
        intents.setdefault(text.lower(), set()).add(intent)
    assert {text: found for text, found in intents.items() if len(found) > 1} == {}
