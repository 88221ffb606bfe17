"""Fuzzing every way in: the JSON API, the widget's WebSocket and Telegram's webhook.

Hypothesis throws lone surrogates, control characters, huge and deeply
nested JSON, wrong types and binary frames at a gateway with the real safety
net (Rasa is down here, which the crisis path must not need). What must hold:
no 5xx, no traceback in any log record, a socket that stays open, and a
crisis phrase with any of that attached still gets the crisis reply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.settings import Settings
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.gateway import session

ORIGIN = "http://127.0.0.1:8080"
WEBHOOK_SECRET = "fuzz-webhook-secret-0123"
CRISIS = "i want to kill myself tonight"
FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
COUNTS: dict[str, int] = {}

awkward = st.sampled_from(
    ["\ud800", "\udfff", "\ud83d", "\ud83d\ude00", "\x00", "\x1b[2J", "\u202e", "\ufeff",
     "\r\n", "\u0301", "𝕏", "\U0010ffff", "/", "/help", '/inform{"x": ', "{", "\\"]
)  # fmt: skip
messy_text = st.lists(st.one_of(st.text(max_size=40), awkward), max_size=12).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | messy_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(messy_text, inner, max_size=4),
    max_leaves=20,
)


def nested(depth: int) -> str:
    return '{"text": ' * depth + '"x"' + "}" * depth


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"text": json_values}).map(lambda v: json.dumps(v).encode()),
    messy_text.map(lambda t: json.dumps({"text": t}).encode()),
    st.integers(min_value=50, max_value=5000).map(lambda d: nested(d).encode()),
    st.sampled_from([b'{"text": "\\ud800"}', b'{"text": "\\udfff\\ud800"}', b"[" * 3000,
                     b'{"text": "' + b"a" * 70_000 + b'"}']),
)  # fmt: skip


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, small_index, safety_net
) -> Iterator[TestClient]:
    from tests.helpers.net import free_port

    var = tmp_path_factory.mktemp("fuzz")
    with FakeTelegram("12345:fuzz-token") as fake:
        env = {
            "VAR_DIR": str(var), "RASA_PORT": str(free_port()), "SESSION_SECRET": "fuzz",
            "ACTION_SERVER_PORT": str(free_port()), "RASA_TIMEOUT": "1",
            "RATE_LIMIT_PER_MINUTE": "10000", "RATE_LIMIT_PER_ADDRESS": "100000",
            "SESSIONS_PER_ADDRESS": "100000", "TELEGRAM_TOKEN": "12345:fuzz-token",
            "TELEGRAM_API_URL": fake.api_url, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TELEGRAM_WEBHOOK_URL": "https://peerpath.example/telegram/webhook",
        }  # fmt: skip
        app = create_app(Settings.from_env(env), index=small_index, safety=safety_net)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.INFO)
    yield
    bad = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert bad == [], [f"{r.name}: {r.getMessage()[:120]}" for r in bad]


def count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@FUZZ
@given(body=bodies)
def test_the_chat_api_answers_any_body_without_a_5xx(client: TestClient, body: bytes) -> None:
    response = client.post(
        "/api/chat", content=body,
        headers={"content-type": "application/json", **session(client, "fuzz-http")},
    )  # fmt: skip
    count("http")
    assert response.status_code < 500 or response.status_code == 503  # 503: Rasa is down here
    assert "error" in response.json() or "messages" in response.json()


@FUZZ
@given(garbage=messy_text, before=st.booleans())
def test_a_crisis_phrase_with_garbage_attached_still_gets_the_crisis_reply(
    client: TestClient, garbage: str, before: bool
) -> None:
    text = f"{garbage} {CRISIS}" if before else f"{CRISIS} {garbage}"
    # json.dumps escapes a lone surrogate as \\udXXX, as a broken client sends it
    response = client.post(
        "/api/chat", content=json.dumps({"text": text[:2000]}),
        headers={"content-type": "application/json", **session(client, "fuzz-crisis")},
    )  # fmt: skip
    count("crisis")
    assert response.status_code == 200
    assert response.json()["messages"][0]["kind"] == "crisis"


frames = st.one_of(st.binary(max_size=200), bodies.map(lambda b: b.decode("utf-8", "replace")))


@FUZZ
@given(frames=st.lists(frames, min_size=1, max_size=4))
def test_the_websocket_answers_every_frame_and_stays_open(
    client: TestClient, frames: list[Any]
) -> None:
    with client.websocket_connect("/ws", headers={"origin": ORIGIN}) as ws:
        ws.send_json({"type": "hello"})
        assert ws.receive_json()["type"] == "hello"
        for frame in frames:
            if isinstance(frame, bytes):
                ws.send_bytes(frame)
            else:
                ws.send_text(frame)
            count("websocket")
            assert ws.receive_json()["type"] in {"reply", "error"}
        ws.send_json({"type": "message", "text": CRISIS})
        assert ws.receive_json()["messages"][0]["kind"] == "crisis"


@FUZZ
@given(body=bodies)
def test_the_telegram_webhook_answers_any_body_without_a_5xx(
    client: TestClient, body: bytes
) -> None:
    response = client.post(
        "/telegram/webhook", content=body,
        headers={"content-type": "application/json",
                 "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
    )  # fmt: skip
    count("webhook")
    assert response.status_code < 500


def test_report_the_fuzz_counts(tmp_path: Path) -> None:
    """Runs last in this module: how many inputs each fuzz test tried (0 5xx among them)."""
    print("fuzzed inputs:", json.dumps(COUNTS))
    assert sum(COUNTS.values()) >= 200
