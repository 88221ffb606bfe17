"""A counselor's list for a client (bot/lists.py): made from /resources, opened by its
link until it expires, as a page that prints and as plain text. In-process, with the
real index, directory and hand-off store (SQLite); the browser half is in
tests/browser/test_lookup.py."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from bot.app import create_app
from bot.handoff.store import SharedList
from peerpath.settings import Settings

SENTINEL = "NOTE-SENTINEL-9917"


@pytest.fixture
def client(test_env: dict[str, str], small_index, safety_net):
    settings = Settings.from_env({**test_env, "SHARED_LIST_DAYS": "30"})
    with TestClient(create_app(settings, index=small_index, safety=safety_net)) as client:
        yield client


def a_passage(client: TestClient) -> dict:
    found = client.get("/api/search", params={"q": "how much do peer specialists earn", "k": 1})
    [hit] = found.json()["results"]
    return hit


def make(client: TestClient, items: list[dict], note: str = "") -> dict:
    made = client.post("/api/lists", json={"items": items, "note": note})
    assert made.status_code == 201, made.text
    return made.json()


def test_a_list_keeps_its_order_and_note_and_reads_as_a_page_and_as_text(client) -> None:
    passage = a_passage(client)
    items = [{"kind": "resource", "id": "lifeline-988"},
             {"kind": "passage", "id": passage["chunk_id"]}]  # fmt: skip
    made = make(client, items, note=f"From our meeting today <b>{SENTINEL}</b>")
    list_id = made["url"].rsplit("/", 1)[1]
    assert len(list_id) >= 22, "an unguessable id"
    until = dt.datetime.fromisoformat(made["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=29) < until <= dt.timedelta(days=30)
    read = client.get(f"/api/lists/{list_id}").json()
    assert [i["title"] for i in read["items"]] == [
        "988 Suicide & Crisis Lifeline",
        f"{passage['title']}: {passage['heading']}",
    ]
    assert read["items"][0]["contact"] == "Call 988 · Text 988"
    assert read["items"][1]["url"] == passage["url"]

    page = client.get(f"/lists/{list_id}")
    assert page.status_code == 200
    assert "&lt;b&gt;" + SENTINEL in page.text, "the note is shown as text, never markup"
    assert '<meta name="robots" content="noindex">' in page.text
    assert page.text.index("988 Suicide") < page.text.index(passage["heading"])
    text = client.get(f"/lists/{list_id}.txt")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.splitlines()[2] == f"From our meeting today <b>{SENTINEL}</b>"
    assert "1. 988 Suicide & Crisis Lifeline\n   Call 988 · Text 988\n" in text.text
    assert f"2. {passage['title']}: {passage['heading']}\n   {passage['url']}\n" in text.text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"items": []}, "items must be a list"),
        ({"items": "lifeline-988"}, "items must be a list"),
        ({"items": [{"kind": "client", "id": "x"}]}, '"kind": "passage" or "resource"'),
        ({"items": [{"kind": "resource", "id": "no-such-place"}]}, "No resource has the id"),
        ({"items": [{"kind": "passage", "id": 7}]}, "No passage has the id"),
        ({"items": [{"kind": "resource", "id": "lifeline-988"}] * 21}, "at most 20 items"),
        ({"items": [{"kind": "resource", "id": "lifeline-988"}], "note": "x" * 501}, "at most 500"),
        (
            {"items": [{"kind": "resource", "id": "lifeline-988"}], "note": ["a"]},
            "note must be text",
        ),
    ],
)
def test_a_bad_list_gets_a_clear_error(client, body: dict, words: str) -> None:
    refused = client.post("/api/lists", json=body)
    assert refused.status_code == 400 and words in refused.json()["error"]


def test_an_expired_or_unknown_link_says_so_and_expired_lists_are_swept(client) -> None:
    made = make(client, [{"kind": "resource", "id": "lifeline-988"}])
    list_id = made["url"].rsplit("/", 1)[1]
    store = client.app.state.services.handoff.store
    with store.session() as s:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        s.execute(update(SharedList).where(SharedList.id == list_id).values(expires_at=past))
    for path in (f"/api/lists/{list_id}", f"/lists/{list_id}", f"/lists/{list_id}.txt"):
        gone = client.get(path)
        assert gone.status_code == 410 and "expired" in gone.text, path
    for path in ("/lists/AAAAAAAAAAAAAAAAAAAAAA", "/lists/..%2Fetc", "/api/lists/x"):
        assert client.get(path).status_code == 404, path
    assert store.sweep_lists() == 1
    assert client.get(f"/lists/{list_id}").status_code == 404
