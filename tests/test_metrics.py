"""GET /metrics on the gateway and the action server, over the real stack: the turns,
crisis replies and hand-offs people make are counted; no label carries text or an
id; only a scraper with the token (or, without one, this machine) is served; and the
dashboard and alert rules in deploy/monitoring use only series that exist."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot.app import create_app
from bot.metrics import HANDOFF_EVENTS, OUTCOMES, STAGES
from peerpath.protocol import Card
from peerpath.settings import PROJECT_ROOT, Settings
from tests.helpers.gateway import say, session, stack_gateway, staff
from tests.helpers.stack import Stack
from tests.test_handoff_e2e import ask_for_a_peer

pytestmark = pytest.mark.slow

TOKEN = "metrics-token-0123456789"
SENTINEL = "MTR-sentinel-5d2a"
MONITORING = PROJECT_ROOT / "deploy" / "monitoring"
# Every value a label may take: fixed sets, so a series never says who wrote what.
ALLOWED = {
    "channel": {"web", "telegram", "api"},
    "outcome": set(OUTCOMES),
    "stage": set(STAGES),
    "card": {str(card) for card in Card},
    "lang": {"en", "es"},
    "event": set(HANDOFF_EVENTS),
    "urgent": {"true", "false"},
    "status": {"1xx", "2xx", "3xx", "4xx", "5xx"},
    "kind": {"busy", "unavailable"},
    "store": {"database", "redis"},
}


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client: TestClient) -> dict:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


@pytest.fixture
def gateway(stack: Stack, knowledge_index, safety_net, tmp_path: Path) -> Iterator[TestClient]:
    extra = {"METRICS_TOKEN": TOKEN, "HANDOFF_HOURS": "always", "VAR_DIR": str(tmp_path)}
    with stack_gateway(stack, knowledge_index, safety_net, **extra) as client:
        yield client


def test_turns_crises_and_handoffs_are_counted_without_text_or_ids(
    gateway: TestClient, stack: Stack
) -> None:
    say(gateway, "metrics-1", f"what does a vocational peer specialist do {SENTINEL}")
    say(gateway, "metrics-2", f"i am going to kill myself tonight {SENTINEL}")
    ask_for_a_peer(gateway, "metrics-3")
    waiting = scrape(gateway)
    assert value(waiting, "peerpath_handoff_waiting", urgent="false") == 1
    assert value(waiting, "peerpath_handoff_oldest_wait_seconds") >= 0

    (ticket,) = gateway.get("/api/staff/tickets", headers=staff()).json()["tickets"]
    assert gateway.post(f"/api/staff/tickets/{ticket['id']}/claim", headers=staff()).is_success
    found = scrape(gateway)

    assert value(found, "peerpath_messages_total", channel="web", outcome="answered") >= 3
    assert value(found, "peerpath_messages_total", channel="web", outcome="crisis") == 1
    assert value(found, "peerpath_messages_total", channel="web", outcome="handoff") == 1
    crisis_cards = [k for k in found if k[0] == "peerpath_crisis_replies_total" and found[k]]
    assert len(crisis_cards) == 1 and ("lang", "en") in crisis_cards[0][1]
    assert value(found, "peerpath_handoffs_total", event="opened", urgent="false") == 1
    assert value(found, "peerpath_handoffs_total", event="claimed", urgent="false") == 1
    assert value(found, "peerpath_handoff_claim_seconds_count", urgent="false") == 1
    assert value(found, "peerpath_handoff_waiting", urgent="false") == 0
    for stage in ("safety", "embed", "rasa", "turn"):
        assert value(found, "peerpath_stage_seconds_count", stage=stage) >= 1, stage
    assert value(found, "peerpath_http_responses_total", status="2xx") >= 5
    assert value(found, "peerpath_store_errors_total", store="database") == 0

    conv_ids = {gateway.app.state.services.conversations.conversation_id("web", k)
                for k in ("metrics-1", "metrics-2", "metrics-3")}  # fmt: skip
    for name, labels in found:
        for key, label in labels:
            assert SENTINEL not in label and label not in conv_ids
            if key != "le":
                assert label in ALLOWED[key], (name, key, label)

    actions = httpx.get(f"{stack.settings.action_server_url}/metrics", timeout=10)
    assert actions.status_code == 200  # no token in the stack: this machine is served
    counted = samples(actions.text)
    answered = value(counted, "peerpath_action_seconds_count", action="action_answer_question")
    assert answered >= 1
    assert value(counted, "peerpath_search_seconds_count") >= 1
    assert SENTINEL not in actions.text


def test_only_a_scraper_with_the_token_is_served(gateway: TestClient) -> None:
    assert gateway.get("/metrics").status_code == 401
    wrong = gateway.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert TOKEN not in wrong.text


def test_without_a_token_only_this_machine_is_served(
    offline_settings: Settings, small_index, safety_net
) -> None:
    app = create_app(offline_settings, index=small_index, safety=safety_net)
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        assert remote.get("/metrics").status_code == 403
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        session(local, "metrics-local")
        assert local.get("/metrics").status_code == 200


def _names_in(expr: str) -> set[str]:
    return set(re.findall(r"\bpeerpath_[a-z_]+", expr))


def test_the_dashboard_and_alerts_use_only_series_the_processes_expose(
    gateway: TestClient, stack: Stack
) -> None:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    rules = yaml.safe_load((MONITORING / "alerts.yaml").read_text())
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= _names_in(target["expr"])
    for group in rules["groups"]:
        for rule in group["rules"]:
            used |= _names_in(rule["expr"])
    assert used
    gateway_text = gateway.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    action_text = httpx.get(f"{stack.settings.action_server_url}/metrics", timeout=10).text
    assert used - series_names(gateway_text + action_text) == set()


SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def series_names(exposition: str) -> set[str]:
    """Every series name the families declare, observed yet or not."""
    return {
        family.name + suffix
        for family in text_string_to_metric_families(exposition)
        for suffix in SUFFIXES.get(family.type, ("",))
    }
