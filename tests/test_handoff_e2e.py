"""Hand-off to a human peer, end to end: real Rasa, real action server, real gateway.

The person uses the web API; staff use the token-protected staff API.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.settings import Settings
from tests.helpers.gateway import (
    OTHER_STAFF_TOKEN,
    STAFF_ENV,
    handoff_env,
    say,
    session_key,
    staff,
    texts,
)
from tests.helpers.gateway import history as hist
from tests.helpers.stack import Stack

pytestmark = pytest.mark.slow

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def settings_for(stack: Stack, var_dir: Path, **extra: str) -> Settings:
    return Settings.from_env({**stack.env, **STAFF_ENV, **handoff_env(stack, var_dir, **extra)})


@pytest.fixture
def make_gateway(stack: Stack, knowledge_index, safety_net, tmp_path: Path):
    clients: list[TestClient] = []

    def make(**extra: str) -> TestClient:
        app = create_app(settings_for(stack, tmp_path / "var", **extra),
                         index=knowledge_index, safety=safety_net)  # fmt: skip
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def gateway(make_gateway) -> Iterator[TestClient]:
    yield make_gateway()


def ask_for_a_peer(client: TestClient, session: str, topic: str = "benefits") -> dict:
    offer = say(client, session, "can i talk to a real person please")
    assert "not a counselor or clinician" in texts(offer)
    assert "the messages you send from then on" in texts(offer)
    topic_question = say(client, session, "yes")
    assert "What would you like to talk about?" in texts(topic_question)
    return say(client, session, f'/inform{{"handoff_topic": "{topic}"}}')


def only_ticket(client: TestClient) -> dict:
    [ticket] = client.get("/api/staff/tickets", headers=staff()).json()["tickets"]
    return ticket


def test_request_claim_relay_both_ways_end_and_the_bot_answers_again(gateway) -> None:
    waiting = ask_for_a_peer(gateway, "handoff-1")
    assert waiting["handoff"]["state"] == "waiting"
    assert "A peer supporter will join here" in texts(waiting)
    ticket = only_ticket(gateway)
    assert ticket["topic"] == "benefits" and ticket["channel"] == "web"
    assert set(ticket) == {"id", "state", "topic", "channel", "urgent", "waiting_seconds",
                           "peer_name", "callback", "in_hours", "messages", "lang"}  # fmt: skip

    # non-staff can't see or claim
    assert gateway.get("/api/staff/tickets").status_code == 401
    bad = gateway.post(f"/api/staff/tickets/{ticket['id']}/claim", headers=staff("wrong-token"))
    assert bad.status_code == 401

    claimed = gateway.post(f"/api/staff/tickets/{ticket['id']}/claim", headers=staff())
    assert claimed.status_code == 200
    again = gateway.post(
        f"/api/staff/tickets/{ticket['id']}/claim", headers=staff(OTHER_STAFF_TOKEN)
    )
    assert again.status_code == 409 and "Sam" in again.json()["error"]

    sent = gateway.post(f"/api/staff/tickets/{ticket['id']}/messages", headers=staff(),
                        json={"text": "Hi, I'm Sam. What's on your mind?"})  # fmt: skip
    assert sent.status_code == 200
    history = hist(gateway, "handoff-1")
    assert history["handoff"] == {"state": "claimed", "ticket_id": ticket["id"], "peer_name": "Sam"}
    assert "Sam, a peer supporter, has joined" in texts(history)
    assert "Sam: Hi, I'm Sam. What's on your mind?" in texts(history)

    reply = say(gateway, "handoff-1", "my ssdi review letter confuses me")
    assert reply["messages"] == []
    assert reply["handoff"]["state"] == "claimed"
    detail = gateway.get(f"/api/staff/tickets/{ticket['id']}", headers=staff()).json()
    assert [m["text"] for m in detail["messages"] if m["from"] == "person"] == [
        "my ssdi review letter confuses me"
    ]

    other = gateway.post(f"/api/staff/tickets/{ticket['id']}/messages",
                         headers=staff(OTHER_STAFF_TOKEN), json={"text": "hello"})  # fmt: skip
    assert other.status_code == 403

    assert (
        gateway.post(f"/api/staff/tickets/{ticket['id']}/end", headers=staff()).status_code == 200
    )
    history = hist(gateway, "handoff-1")
    assert "You're back with the assistant" in texts(history)
    assert history["handoff"] is None

    answer = say(gateway, "handoff-1", "how long does peer specialist training take")
    assert "70 to 80 hours" in texts(answer)
    assert "handoff" not in answer


def test_a_plain_request_for_a_human_reaches_rasa_as_that_request(gateway, stack) -> None:
    offer = say(gateway, "handoff-ask", "can u get me a peer rn")
    assert "not a counselor or clinician" in texts(offer)
    key = session_key(gateway, "handoff-ask")
    conv = gateway.app.state.services.conversations.conversation_id("web", key)
    with sqlite3.connect(stack.settings.rasa_tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id=? AND type_name='user' ORDER BY id", (conv,)
        ).fetchall()
    said = json.loads(rows[-1][0])
    # the person's own words stay in the conversation; Rasa's phrase check read them
    assert said["text"] == "can u get me a peer rn"
    assert said["parse_data"]["intent"]["name"] == "request_human"


def test_cancel_while_waiting_goes_back_to_the_assistant(gateway) -> None:
    ask_for_a_peer(gateway, "handoff-2", topic="work")
    cancelled = say(gateway, "handoff-2", "/cancel_handoff")
    assert "cancelled the request" in texts(cancelled)
    assert cancelled["handoff"]["state"] == "cancelled"
    assert gateway.get("/api/staff/tickets", headers=staff()).json()["tickets"] == []
    assert "computer program" in texts(say(gateway, "handoff-2", "are you a bot?"))


def test_a_restart_loses_nothing(make_gateway) -> None:
    first = make_gateway()
    ask_for_a_peer(first, "handoff-3")
    ticket = only_ticket(first)
    say(first, "handoff-3", "are you there?")
    first.__exit__(None, None, None)

    second = make_gateway()
    assert only_ticket(second)["id"] == ticket["id"]
    detail = second.get(f"/api/staff/tickets/{ticket['id']}", headers=staff()).json()
    assert [m["text"] for m in detail["messages"]] == ["are you there?"]
    assert (
        second.post(f"/api/staff/tickets/{ticket['id']}/claim", headers=staff()).status_code == 200
    )
    reply = say(second, "handoff-3", "still here")
    assert reply["handoff"]["state"] == "claimed"


def test_outside_office_hours_a_message_and_contact_are_left(make_gateway) -> None:
    tomorrow = DAYS[(dt.datetime.now(dt.UTC).weekday() + 2) % 7]
    gateway = make_gateway(HANDOFF_HOURS=f"{tomorrow} 09:00-10:00", HANDOFF_TIMEZONE="UTC")
    offline = ask_for_a_peer(gateway, "handoff-4")
    assert "nobody is on right now" in texts(offline)
    assert [b["payload"] for b in offline["messages"][-1]["buttons"]] == [
        "/leave_message", "/cancel_handoff",
    ]  # fmt: skip
    assert "What would you like the peer to know?" in texts(
        say(gateway, "handoff-4", "/leave_message")
    )
    assert "How can a peer reach you?" in texts(
        say(gateway, "handoff-4", "Please help me with my SSDI review")
    )
    left = say(gateway, "handoff-4", "here")
    assert "Your message is saved" in texts(left)
    assert left["handoff"]["state"] == "message_left"

    ticket = only_ticket(gateway)
    assert ticket["callback"] is True and ticket["in_hours"] is False
    detail = gateway.get(f"/api/staff/tickets/{ticket['id']}", headers=staff()).json()
    assert detail["callback"] == {
        "message": "Please help me with my SSDI review",
        "contact": "here",
    }

    # released: the assistant answers meanwhile
    assert "computer program" in texts(say(gateway, "handoff-4", "are you a bot"))


def test_crisis_during_a_handoff_reaches_the_person_and_alerts_the_peer(gateway) -> None:
    ask_for_a_peer(gateway, "handoff-5")
    reply = say(gateway, "handoff-5", "i don't think i can keep myself safe tonight")
    assert reply["messages"][0]["kind"] == "crisis"
    assert "988" in reply["messages"][0]["text"]
    ticket = only_ticket(gateway)
    assert ticket["urgent"] is True
    detail = gateway.get(f"/api/staff/tickets/{ticket['id']}", headers=staff()).json()
    assert detail["messages"][-1]["text"] == "i don't think i can keep myself safe tonight"


def test_crisis_outside_a_handoff_gets_resources_then_an_urgent_peer(gateway) -> None:
    reply = say(gateway, "handoff-6", "i just want everything to stop for good")
    [message] = reply["messages"]
    assert message["kind"] == "crisis" and "741741" in message["text"]
    assert "sources" not in message, "never a search answer"
    urgent = say(gateway, "handoff-6", message["buttons"][0]["payload"])
    assert urgent["handoff"]["state"] == "waiting"
    assert "as soon as possible" in texts(urgent)
    assert only_ticket(gateway)["urgent"] is True


def test_nobody_claims_in_time_then_the_ticket_expires(make_gateway) -> None:
    gateway = make_gateway()
    ask_for_a_peer(gateway, "handoff-7")
    ticket = only_ticket(gateway)
    svc = gateway.app.state.services
    store = svc.handoff.store
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)
    store.change(ticket["id"], created_at=past)
    gateway.portal.call(svc.handoff.check_waits)
    gateway.portal.call(svc.outbox.deliver_due)
    assert "no peer has been able to pick this up yet" in texts(hist(gateway, "handoff-7"))
    store.change(ticket["id"], created_at=past - dt.timedelta(days=4))
    gateway.portal.call(svc.handoff.check_waits)
    assert store.get(ticket["id"]).state == "expired"
    assert "computer program" in texts(say(gateway, "handoff-7", "are you a bot"))
