"""The gateway's HTTP contract: bad input gets a clear 4xx, a down Rasa a calm 503."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.rasa.replies import CALM_UNAVAILABLE
from peerpath.settings import Settings
from tests.helpers.gateway import session


@pytest.fixture
def client(offline_settings: Settings, small_index, safety_net):
    app = create_app(offline_settings, index=small_index, safety=safety_net)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"not json", 400, "must be JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b"[" * 20000 + b"]" * 20000, 400, "must be JSON"),
        (b'{"session_id": "s1"}', 400, "text is required"),
        (b'{"text": 5}', 400, "text must be a string"),
        (b'{"text": ["hi"]}', 400, "text must be a string"),
        (b'{"text": "   "}', 400, "text is empty"),
        (b'{"text": "\u0000\u0007 \u202e"}', 400, "text is empty"),
        (b"\xff\xfe not utf-8", 400, "must be JSON"),
        (b'{"text": "hi", "message_id": 7}', 400, "message_id must be"),
        (b'{"text": "hi", "message_id": ""}', 400, "message_id must be"),
        (b'{"text": "hi", "message_id": "a b"}', 400, "message_id must be"),
        (b'{"text": "hi", "message_id": "' + b"x" * 81 + b'"}', 400, "message_id must be"),
    ],
)
def test_bad_chat_requests_get_a_clear_error(client, body, status, words) -> None:
    response = client.post(
        "/api/chat", content=body,
        headers={"content-type": "application/json", **session(client, "bad-input")},
    )  # fmt: skip
    assert response.status_code == status
    assert words in response.json()["error"]


def test_over_long_text_is_refused_with_the_limit(client) -> None:
    response = client.post("/api/chat", json={"text": "a" * 2001}, headers=session(client, "long"))
    assert response.status_code == 413
    assert "2000" in response.json()["error"]


def test_huge_body_is_refused_before_it_is_read(client) -> None:
    who = session(client, "huge")
    response = client.post("/api/chat", content=b"{" + b" " * 70000 + b"}",
                           headers={"content-type": "application/json", **who})  # fmt: skip
    assert response.status_code == 413
    # a client claiming a huge body is refused on the header alone
    claimed = client.post(
        "/api/chat", content=b"{}",
        headers={"content-type": "application/json", "content-length": "9999999", **who},
    )  # fmt: skip
    assert claimed.status_code == 413


def test_rasa_down_gives_a_calm_message_not_a_stack_trace(client) -> None:
    response = client.post("/api/chat", json={"text": "hello"}, headers=session(client, "s1"))
    assert response.status_code == 503
    body = response.json()
    assert body["messages"][0]["text"] == CALM_UNAVAILABLE
    assert body["status"] == "unavailable"
    assert "Traceback" not in response.text


def test_health_reports_each_part(client) -> None:
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "gateway": "ok",
        "rasa": "down",
        "action_server": "down",
    }


def test_ready_while_rasa_is_down_but_not_without_the_hand_off_store(client) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    assert client.get("/health/ready").json() == {"status": "ok"}, "Rasa isn't needed to serve"
    store = client.app.state.services.handoff.store

    def disk_gone() -> int:
        raise OSError("disk gone")

    store.pending_count = disk_gone  # type: ignore[method-assign]  # a store that fails
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.json() == {"status": "not ready"}


def test_unknown_route_and_wrong_method_are_json(client) -> None:
    assert client.get("/nope").json() == {"error": "Not Found"}
    response = client.get("/api/chat")
    assert response.status_code == 405
    assert "error" in response.json()


def test_article_pages_carry_the_security_headers(client) -> None:
    response = client.get("/kb/peer-specialist-training")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_unexpected_error_is_a_calm_500_and_not_a_crash() -> None:
    import httpx

    from bot.http.errors import OUR_SIDE, LastResort

    async def broken(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise UnicodeEncodeError("utf-8", "a person's words", 0, 1, "surrogates not allowed")

    transport = httpx.ASGITransport(app=LastResort(broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        for _ in range(2):  # the server is still there for the next request
            response = await http.post("/api/chat", json={"text": "hi"})
            assert response.status_code == 500 and response.json() == {"error": OUR_SIDE}
