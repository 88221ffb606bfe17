"""The conversation follows the person, through the real gateway, Rasa and action server.

- One ranking: for every labelled dev question, the chat's first answer is the
  section /api/search ranks first, except where the intent's topic broke a
  near-tie (within followups.NEAR_TIE), the question is a bare "IPS", the
  message is not a question and started a guided flow, or the safety net answered.
- Follow-ups, a role said with a question, direct answers before flows, and the
  source of the last answer, as a person would type them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from actions.followups import NEAR_TIE
from actions.knowledge import IPS_QUESTION, ambiguous_ips
from eval.chat_eval import DEV, SCRIPTS, first_source, judge_script
from peerpath.flows import direct_question
from tests.helpers.gateway import NO_LIMITS, say, stack_gateway, texts
from tests.helpers.stack import Stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gateway(stack: Stack, knowledge_index, safety_net) -> Iterator[TestClient]:
    with stack_gateway(stack, knowledge_index, safety_net, **NO_LIMITS) as client:
        yield client


def cited(reply: dict[str, Any]) -> str | None:
    source = first_source(reply)
    return source["chunk_id"] if source else None


def test_chat_and_search_agree_on_the_first_section(gateway: TestClient) -> None:
    questions = [q for q in yaml.safe_load(DEV.read_text(encoding="utf-8")) if q.get("doc")]
    disagreements = []
    for n, item in enumerate(questions):
        results = gateway.get("/api/search", params={"q": item["q"], "k": 6}).json()
        reply = say(gateway, f"agree-{n}", item["q"])
        kinds = {m.get("kind") for m in reply["messages"]}
        if "crisis" in kinds or (IPS_QUESTION in texts(reply) and ambiguous_ips(item["q"])):
            continue
        if cited(reply) is None and not direct_question(item["q"]):
            continue  # not a question ("IPS training"): a guided flow may start
        if not results["confident"]:
            continue
        best = results["results"][0]["score"]
        near = {r["chunk_id"] for r in results["results"] if r["score"] >= best - NEAR_TIE - 1e-6}
        if cited(reply) not in near:
            disagreements.append((item["q"], cited(reply), results["results"][0]["chunk_id"]))
    assert disagreements == [], f"{len(disagreements)}/{len(questions)} disagree"


def test_a_follow_up_is_read_with_the_question_before(gateway: TestClient) -> None:
    first = say(gateway, "fu-1", "what do peer specialists earn?")
    assert cited(first) == "peer-jobs#how-much-do-peer-specialists-earn" or "wages" in (
        cited(first) or ""
    )
    follow = say(gateway, "fu-1", "hourly or yearly?")
    assert cited(follow), "the follow-up is answered, not met with 'I don't have that'"
    assert any(ch.isdigit() for ch in texts(follow)), "pay is answered with a figure"


def test_asking_where_an_answer_comes_from(gateway: TestClient) -> None:
    first = say(gateway, "src-1", "how long does peer specialist training take?")
    shown = first_source(first)
    assert shown is not None
    reply = say(gateway, "src-1", "who wrote that?")
    assert shown["title"] in texts(reply) and cited(reply) == shown["chunk_id"]


def roles_stored(stack: Stack, role: str) -> int:
    """How many times Rasa's tracker store recorded the `role` slot set to `role`."""
    with sqlite3.connect(stack.settings.rasa_tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE type_name = 'slot'").fetchall()
    slots = [json.loads(data) for (data,) in rows]
    return sum(1 for s in slots if s.get("name") == "role" and s.get("value") == role)


def test_a_role_said_with_a_question_does_both(stack: Stack, gateway: TestClient) -> None:
    before = roles_stored(stack, "peer_specialist")
    reply = say(gateway, "role-1", "btw I'm a peer specialist now, is there any way to move up?")
    assert (cited(reply) or "").startswith("career-ladders-and-advancement#"), texts(reply)
    assert roles_stored(stack, "peer_specialist") > before, "the role is stored too"


def test_a_direct_question_is_answered_and_the_flow_offered(gateway: TestClient) -> None:
    reply = say(gateway, "flow-1", "where do I get advice on how a job changes my SSI?")
    assert cited(reply), "answered from the knowledge base"
    assert "benefits counsel" in texts(reply).lower()
    payloads = [b["payload"] for m in reply["messages"] for b in m.get("buttons", [])]
    assert "/start_benefits_check" in payloads, "the guided check is offered as a button"


def test_asking_for_the_flow_starts_it(gateway: TestClient) -> None:
    reply = say(gateway, "flow-2", "help me check my benefits")
    assert "Which benefits do you get?" in texts(reply)
    assert cited(reply) is None


# Two scripts of each category of tests/eval/chat_scripts.yml (the first two that
# passed when this subset was chosen): a regression guard for make test. The whole set,
# with its figures, is `make eval-chat`.
SCRIPT_SUBSET = (
    "fu-pay-is-that-hourly", "fu-pay-part-timers",
    "cl-training-for-supervisors", "cl-credential-connecticut",
    "rc-peer-move-up", "rc-employer-prepare-team",
    "dq-ssi-job-advice", "dq-training-hours",
    "fs-benefits-part-time-side", "fs-benefits-wage-side",
    "hm-after-pay", "hm-in-benefits-form",
    "cr-benefits-form-suicidal", "cr-training-form-pills",
    "tm-coalition", "tm-wages",
    "nt-pay-then-coalition", "nt-petition-then-training-hours",
    "le-past-attempt-lived-experience", "le-hospitalized-training",
)  # fmt: skip


def test_a_subset_of_the_chat_scripts(gateway: TestClient) -> None:
    scripts = {s["id"]: s for s in yaml.safe_load(SCRIPTS.read_text(encoding="utf-8"))["scripts"]}
    failed = []
    for script_id in SCRIPT_SUBSET:
        script = scripts[script_id]
        last: dict[str, Any] = {}
        for turn in script["turns"]:
            last = say(gateway, f"script-{script_id}", str(turn))
        if not judge_script(script, last):
            failed.append((script_id, texts(last)[:200]))
    assert failed == []
