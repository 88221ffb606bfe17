"""The peer desk over the real stack, on SQLite and PostgreSQL: accounts a lead manages
(tokens shown once, only hashes kept), notes only staff see, passing a ticket to a
colleague or back to the queue, and an audit trail that never holds what was written.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.feedback import FeedbackStore
from peerpath.settings import PROJECT_ROOT, Settings
from tests.helpers.gateway import STAFF_ENV, handoff_env, say, staff, texts
from tests.helpers.gateway import history as hist
from tests.helpers.postgres import postgres_db_url, postgres_server  # noqa: F401
from tests.helpers.stack import Stack

pytestmark = pytest.mark.slow
SENTINEL = "NOTE-SENTINEL-4471"


@pytest.fixture(params=["sqlite", "postgresql"])
def desk_env(request: pytest.FixtureRequest, stack: Stack, tmp_path: Path) -> dict[str, str]:
    env = {**stack.env, **STAFF_ENV, **handoff_env(stack, tmp_path / "var")}
    if request.param == "postgresql":
        env["HANDOFF_DB_URL"] = request.getfixturevalue("postgres_db_url").reveal()
    return env


@pytest.fixture
def gateway(desk_env: dict[str, str], knowledge_index, safety_net) -> Iterator[TestClient]:
    app = create_app(Settings.from_env(desk_env), index=knowledge_index, safety=safety_net)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def add(client: TestClient, name: str, role: str = "peer") -> str:
    answer = client.post("/api/staff/accounts", json={"name": name, "role": role}, headers=staff())
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def waiting_ticket(client: TestClient, session: str) -> str:
    """The only open ticket: this person's request for a peer."""
    [ticket] = [waiting_ticket_for(client, session)]
    assert len(client.get("/api/staff/tickets", headers=staff()).json()["tickets"]) == 1
    return ticket


def waiting_ticket_for(client: TestClient, session: str) -> str:
    """This person's request for a peer, among any other open tickets."""
    before = {t["id"] for t in client.get("/api/staff/tickets", headers=staff()).json()["tickets"]}
    say(client, session, "can i talk to a real person please")
    say(client, session, "yes")
    say(client, session, '/inform{"handoff_topic": "work"}')
    after = client.get("/api/staff/tickets", headers=staff()).json()["tickets"]
    [ticket] = [t["id"] for t in after if t["id"] not in before]
    return ticket


def test_a_lead_adds_rotates_and_disables_accounts_peers_cannot(gateway: TestClient) -> None:
    robin = add(gateway, "Robin")
    assert gateway.get("/api/staff/me", headers=staff(robin)).json() == {
        "name": "Robin", "role": "peer",
    }  # fmt: skip
    # peers can't see or change the team
    assert gateway.get("/api/staff/accounts", headers=staff(robin)).status_code == 403
    assert gateway.post(
        "/api/staff/accounts", json={"name": "Eve", "role": "lead"}, headers=staff(robin)
    ).status_code == 403  # fmt: skip
    assert gateway.get("/api/staff/audit", headers=staff(robin)).status_code == 403
    listed = gateway.get("/api/staff/accounts", headers=staff()).json()["accounts"]
    assert listed == [{"name": "Robin", "role": "peer", "active": True}]
    assert robin not in str(listed)
    # the same name twice, a bad role, a bad name: clear refusals
    again = gateway.post("/api/staff/accounts", json={"name": "Robin"}, headers=staff())
    assert again.status_code == 409 and "already" in again.json()["error"]
    bad = gateway.post("/api/staff/accounts", json={"name": "X", "role": "boss"}, headers=staff())
    assert bad.status_code == 400
    # a new token: the old one stops working
    rotated = gateway.post(
        "/api/staff/accounts", json={"name": "Robin", "rotate": True}, headers=staff()
    ).json()["token"]  # fmt: skip
    assert gateway.get("/api/staff/me", headers=staff(robin)).status_code == 401
    assert gateway.get("/api/staff/me", headers=staff(rotated)).status_code == 200
    gateway.post("/api/staff/accounts", json={"name": "Robin", "disable": True}, headers=staff())
    assert gateway.get("/api/staff/me", headers=staff(rotated)).status_code == 401
    actions = gateway.get("/api/staff/audit", headers=staff()).json()["actions"]
    assert [(a["actor"], a["action"], a["target"]) for a in reversed(actions)] == [
        ("Sam", "add_account", "Robin"), ("Sam", "rotate", "Robin"), ("Sam", "disable", "Robin"),
    ]  # fmt: skip


def test_notes_transfer_and_release_with_an_audit_trail(gateway: TestClient) -> None:
    robin, lee = add(gateway, "Robin"), add(gateway, "Lee")
    person = f"desk-{secrets.token_hex(4)}"  # a new conversation for each database
    ticket = waiting_ticket(gateway, person)
    base = f"/api/staff/tickets/{ticket}"
    assert gateway.post(f"{base}/claim", headers=staff(robin)).status_code == 200
    noted = gateway.post(f"{base}/notes", json={"text": f"prefers mornings {SENTINEL}"},
                         headers=staff(robin))  # fmt: skip
    assert noted.status_code == 200
    assert (
        gateway.post(f"{base}/notes", json={"text": "  "}, headers=staff(robin)).status_code == 400
    )
    notes = gateway.get(base, headers=staff(lee)).json()["notes"]
    assert [(n["author"], SENTINEL in n["text"]) for n in notes] == [("Robin", True)]
    assert SENTINEL not in str(hist(gateway, person)), "the person never sees a note"
    # only the peer looking after it can pass it on; to an account that exists
    assert (
        gateway.post(f"{base}/transfer", json={"to": "Lee"}, headers=staff(lee)).status_code == 403
    )
    assert gateway.post(f"{base}/transfer", json={"to": "Nobody"},
                        headers=staff(robin)).status_code == 404  # fmt: skip
    moved = gateway.post(f"{base}/transfer", json={"to": "Lee"}, headers=staff(robin))
    assert moved.status_code == 200 and moved.json()["ticket"]["peer_name"] == "Lee"
    assert "Lee" in texts(hist(gateway, person))
    sent = gateway.post(f"{base}/messages", json={"text": "hi, Lee here"}, headers=staff(robin))
    assert sent.status_code == 403
    assert gateway.post(f"{base}/messages", json={"text": "hi, Lee here"},
                        headers=staff(lee)).status_code == 200  # fmt: skip
    released = gateway.post(f"{base}/release", headers=staff(lee))
    assert released.status_code == 200 and released.json()["ticket"]["state"] == "waiting"
    assert gateway.post(f"{base}/claim", headers=staff(robin)).status_code == 200
    actions = gateway.get("/api/staff/audit", headers=staff()).json()["actions"]
    trail = [(a["actor"], a["action"], a["target"]) for a in reversed(actions) if a["ticket_id"]]
    assert trail == [
        ("Robin", "claim", ""), ("Robin", "note", ""), ("Robin", "transfer", "Lee"),
        ("Lee", "send", ""), ("Lee", "release", ""), ("Robin", "claim", ""),
    ]  # fmt: skip
    assert SENTINEL not in str(actions) and "Lee here" not in str(actions)


def test_the_command_line_adds_an_account_whose_token_works(
    gateway: TestClient, desk_env: dict[str, str]
) -> None:
    env = {**os.environ, **desk_env}

    def bot(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "bot", "staff", *args]
        return subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    added = bot("add", "Kai", "--role", "lead")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert gateway.get("/api/staff/me", headers=staff(token)).json()["role"] == "lead"
    assert "Kai\tlead" in bot("list").stdout
    assert token not in bot("list").stdout
    again = bot("add", "Kai")
    assert again.returncode == 1 and "already" in again.stderr
    assert bot("disable", "Kai").returncode == 0
    assert gateway.get("/api/staff/me", headers=staff(token)).status_code == 401


def test_saved_replies_leads_keep_them_every_peer_reads_them(gateway: TestClient) -> None:
    robin = add(gateway, "Robin")
    wipa = {"title": "What WIPA is", "text": "WIPA is free benefits counseling.", "lang": "en"}
    assert gateway.post("/api/staff/replies", json=wipa, headers=staff(robin)).status_code == 403
    assert gateway.post("/api/staff/replies", json=wipa, headers=staff()).status_code == 200
    horario = {"title": "Horario", "text": "Estamos de 9 a 5.", "lang": "es"}
    gateway.post("/api/staff/replies", json=horario, headers=staff())
    listed = gateway.get("/api/staff/replies", headers=staff(robin)).json()["replies"]
    assert [r["title"] for r in listed] == ["Horario", "What WIPA is"]
    spanish = gateway.get("/api/staff/replies?lang=es", headers=staff(robin)).json()["replies"]
    assert [r["title"] for r in spanish] == ["Horario"]
    changed = {**wipa, "text": "WIPA: free, confidential benefits counseling."}
    gateway.post("/api/staff/replies", json=changed, headers=staff())
    [wipa_now] = [r for r in gateway.get("/api/staff/replies", headers=staff(robin)).json()[
        "replies"] if r["title"] == "What WIPA is"]  # fmt: skip
    assert wipa_now["text"].startswith("WIPA: free")
    bad = gateway.post("/api/staff/replies", json={"title": "", "text": "x"}, headers=staff())
    assert bad.status_code == 400
    gone = {"title": "Horario", "delete": True}
    assert gateway.post("/api/staff/replies", json=gone, headers=staff()).status_code == 200
    assert gateway.post("/api/staff/replies", json=gone, headers=staff()).status_code == 404


def test_closed_tickets_by_day_state_and_language_with_transcript_and_notes(
    gateway: TestClient,
) -> None:
    person = f"desk-{secrets.token_hex(4)}"
    ticket = waiting_ticket(gateway, person)
    base = f"/api/staff/tickets/{ticket}"
    gateway.post(f"{base}/claim", headers=staff())
    gateway.post(f"{base}/messages", json={"text": "hello from Sam"}, headers=staff())
    gateway.post(f"{base}/notes", json={"text": "call back Tuesday"}, headers=staff())
    gateway.post(f"{base}/end", headers=staff())
    today = gateway.get("/api/staff/history", headers=staff()).json()
    [closed] = [t for t in today["tickets"] if t["id"] == ticket]
    assert closed["state"] == "ended" and closed["lang"] == "en" and closed["closed_at"]
    for query in ("lang=es", "state=expired", "day=2020-01-01"):
        found = gateway.get(f"/api/staff/history?{query}", headers=staff()).json()["tickets"]
        assert ticket not in [t["id"] for t in found], query
    assert gateway.get("/api/staff/history?day=yesterday", headers=staff()).status_code == 400
    assert gateway.get("/api/staff/history?state=open", headers=staff()).status_code == 400
    opened = gateway.get(base, headers=staff()).json()
    assert "hello from Sam" in [m["text"] for m in opened["messages"]]
    assert [n["text"] for n in opened["notes"]] == ["call back Tuesday"]


def test_a_spanish_speakers_ticket_says_so_to_the_peer(gateway: TestClient) -> None:
    person = f"desk-es-{secrets.token_hex(4)}"
    say(gateway, person, "hola, quiero hablar con una persona por favor")
    say(gateway, person, "sí")
    say(gateway, person, '/inform{"handoff_topic": "work"}')
    tickets = gateway.get("/api/staff/tickets", headers=staff()).json()["tickets"]
    assert [t["lang"] for t in tickets] == ["es"], tickets
    # what the hand-off tells them later is in Spanish too
    gateway.post(f"/api/staff/tickets/{tickets[0]['id']}/claim", headers=staff())
    assert "Sam, una persona de apoyo entre pares, se unió" in texts(hist(gateway, person))
    ended = say(gateway, person, "/end_handoff")
    assert "terminó" in texts(ended), texts(ended)


def test_callbacks_listed_oldest_first_and_marked_done(
    desk_env: dict[str, str], knowledge_index, safety_net
) -> None:
    tomorrow = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[
        (dt.datetime.now(dt.UTC).weekday() + 2) % 7
    ]
    env = {**desk_env, "HANDOFF_HOURS": f"{tomorrow} 09:00-10:00", "HANDOFF_TIMEZONE": "UTC"}
    app = create_app(Settings.from_env(env), index=knowledge_index, safety=safety_net)
    with TestClient(app, raise_server_exceptions=False) as gateway:
        person = f"desk-cb-{secrets.token_hex(4)}"
        say(gateway, person, "can i talk to a real person please")
        say(gateway, person, "yes")
        say(gateway, person, '/inform{"handoff_topic": "benefits"}')
        say(gateway, person, "/leave_message")
        say(gateway, person, "Please call me about my SSDI review")
        say(gateway, person, "555-0100")
        [callback] = gateway.get("/api/staff/callbacks", headers=staff()).json()["callbacks"]
        assert callback["contact"] == "555-0100" and callback["asked_at"]
        assert callback["message"] == "Please call me about my SSDI review"
        assert gateway.get("/api/staff/callbacks").status_code == 401
        done = gateway.post(f"/api/staff/tickets/{callback['id']}/callback_done", headers=staff())
        assert done.status_code == 200 and done.json()["ticket"]["state"] == "ended"
        assert gateway.get("/api/staff/callbacks", headers=staff()).json()["callbacks"] == []
        again = gateway.post(f"/api/staff/tickets/{callback['id']}/callback_done", headers=staff())
        assert again.status_code == 409
        actions = gateway.get("/api/staff/audit", headers=staff()).json()["actions"]
        assert ("Sam", "callback_done") in [(a["actor"], a["action"]) for a in actions]
        assert "555-0100" not in str(actions)


def test_after_a_peer_chat_the_person_may_rate_it_or_skip(gateway: TestClient) -> None:
    person = f"desk-rate-{secrets.token_hex(4)}"
    ticket = waiting_ticket(gateway, person)
    gateway.post(f"/api/staff/tickets/{ticket}/claim", headers=staff())
    ended = say(gateway, person, "/end_handoff")
    [prompt] = [m for m in ended["messages"] if "How was your chat" in m["text"]]
    assert [b["title"] for b in prompt["buttons"]] == ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★", "Skip"]
    thanks = say(gateway, person, prompt["buttons"][3]["payload"])
    assert "Thank you. Your rating helps" in texts(thanks)
    store = gateway.app.state.services.handoff.store
    assert store.get(ticket).rating == 4
    # a second rating of the same chat, or nonsense stars, changes nothing
    say(gateway, person, '/rate_handoff{"stars": 1}')
    say(gateway, person, '/rate_handoff{"stars": "lots"}')
    assert store.get(ticket).rating == 4
    # a peer who ends the chat: the prompt follows the ending; skipping is fine
    other = f"desk-rate-{secrets.token_hex(4)}"
    second = waiting_ticket_for(gateway, other)
    gateway.post(f"/api/staff/tickets/{second}/claim", headers=staff())
    gateway.post(f"/api/staff/tickets/{second}/end", headers=staff())
    assert "How was your chat" in texts(hist(gateway, other))
    assert "That's fine" in texts(say(gateway, other, '/rate_handoff{"stars": 0}'))
    assert store.get(second).rating is None


def test_the_team_report_for_leads_json_and_csv(gateway: TestClient) -> None:
    robin = add(gateway, "Robin")
    person = f"desk-rep-{secrets.token_hex(4)}"
    ticket = waiting_ticket(gateway, person)
    gateway.post(f"/api/staff/tickets/{ticket}/claim", headers=staff(robin))
    say(gateway, person, "/end_handoff")
    say(gateway, person, '/rate_handoff{"stars": 5}')
    assert gateway.get("/api/staff/report", headers=staff(robin)).status_code == 403
    report = gateway.get("/api/staff/report?by=week&days=7", headers=staff()).json()
    [row] = report["rows"]
    assert (row["tickets"], row["claimed"], row["rated"], row["rating_average"]) == (1, 1, 1, 5.0)
    assert row["claim_p50_minutes"] is not None
    csv_text = gateway.get("/api/staff/report?format=csv", headers=staff())
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.splitlines()[0].startswith("period,tickets,urgent")
    assert person not in csv_text.text and ticket not in csv_text.text
    for bad in ("by=month", "days=0", "days=lots"):
        assert gateway.get(f"/api/staff/report?{bad}", headers=staff()).status_code == 400


def test_leads_read_what_went_unanswered_peers_cannot(gateway: TestClient, tmp_path: Path) -> None:
    # what the action server counts (tests/test_actions_knowledge.py), in this gateway's store
    counts = FeedbackStore(f"sqlite:///{tmp_path / 'var' / 'feedback.db'}")
    try:
        counts.record_gap("no_answer", "benefits", "Ticket to Work", "benefits")
        counts.record_gap("no_answer", "benefits", "Ticket to Work", "benefits")
        counts.record_gap("missing_detail", "wages", "How much do peers earn?", "wages")
    finally:
        counts.close()
    robin = add(gateway, "Robin")
    assert gateway.get("/api/staff/gaps", headers=staff(robin)).status_code == 403
    for bad in ("weeks=0", "weeks=53", "weeks=some"):
        assert gateway.get(f"/api/staff/gaps?{bad}", headers=staff()).status_code == 400
    answer = gateway.get("/api/staff/gaps?weeks=1", headers=staff()).json()
    week = (dt.date.today() - dt.timedelta(days=dt.date.today().weekday())).isoformat()
    assert answer["rows"] == [
        {"week": week, "kind": "no_answer", "doc_id": "benefits", "section": "Ticket to Work",
         "topic": "benefits", "count": 2},
        {"week": week, "kind": "missing_detail", "doc_id": "wages",
         "section": "How much do peers earn?", "topic": "wages", "count": 1},
    ]  # fmt: skip
