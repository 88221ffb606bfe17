"""The crisis safety net: recall 1.0 on every crisis set, false alarms reported.

crisis.yml / not_crisis.yml: written with the NLU data, none of them in it.
crisis_blind.yml / not_crisis_blind.yml: written later by someone who had not
seen the net. The classifier never sees any of these files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gateway.safety import SafetyNet, rules
from gateway.safety.model import CrisisModel, load_training_data
from peerpath.settings import PROJECT_ROOT

HERE = Path(__file__).resolve().parent


def messages(name: str) -> list[str]:
    return yaml.safe_load((HERE / f"{name}.yml").read_text(encoding="utf-8"))["messages"]


@pytest.fixture(scope="module")
def net(embedder, tmp_path_factory) -> SafetyNet:
    folder = tmp_path_factory.mktemp("safety-model")
    return SafetyNet.open(folder, embedder, PROJECT_ROOT / "data" / "nlu")


@pytest.mark.parametrize("name", ["crisis", "crisis_blind"])
def test_every_crisis_message_is_caught(net: SafetyNet, name: str) -> None:
    crisis = messages(name)
    assert len(crisis) >= 60
    missed = [m for m in crisis if not net.check(m).crisis]
    assert missed == [], f"missed {len(missed)} of {len(crisis)}"


@pytest.mark.parametrize(("name", "ceiling"), [("not_crisis", 0.10), ("not_crisis_blind", 0.15)])
def test_false_alarms_stay_rare(net: SafetyNet, name: str, ceiling: float) -> None:
    calm = messages(name)
    assert len(calm) >= 60
    alarms = [m for m in calm if net.check(m).crisis]
    assert len(alarms) / len(calm) <= ceiling, alarms


def test_no_test_message_is_in_the_training_data() -> None:
    data = load_training_data(PROJECT_ROOT / "data" / "nlu")
    seen = {" ".join(t.lower().split()) for t in data.crisis + data.not_crisis}
    for name in ("crisis", "crisis_blind", "not_crisis", "not_crisis_blind"):
        overlap = [m for m in messages(name) if " ".join(m.lower().split()) in seen]
        assert overlap == [], name


def test_button_payloads_and_commands_are_never_crisis(net: SafetyNet) -> None:
    for payload in ("/request_human", '/inform{"benefit_program": "SSDI"}', "/start_over"):
        assert not net.check(payload).crisis


def test_rules_alone_catch_explicit_language_and_skip_work_questions() -> None:
    assert rules.matches("i want to kill myself tonight")
    assert rules.matches("I'M NOT SAFE RIGHT NOW")
    assert rules.matches("suiside")
    assert not rules.matches("suicide prevention training for peer specialists")
    assert not rules.matches("what does a crisis line worker earn")


def test_saved_model_loads_and_scores_the_same(embedder, tmp_path: Path) -> None:
    data = load_training_data(PROJECT_ROOT / "data" / "nlu")
    trained = CrisisModel.train(embedder, data)
    trained.save(tmp_path)
    loaded = CrisisModel.load(tmp_path, embedder, trained.digest)
    text = "everyone would be better off if i just disappeared"
    assert loaded.score(text) == pytest.approx(trained.score(text), abs=1e-9)
    with pytest.raises(Exception, match="changed"):
        CrisisModel.load(tmp_path, embedder, "another-digest")
