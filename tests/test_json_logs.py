"""LOG_FORMAT=json over the real processes: Rasa and the action server write one JSON
object per line, and what a person typed reaches neither."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.helpers.stack import Stack

pytestmark = pytest.mark.slow

SENTINEL = "JSN-sentinel-8c1e5b"


def test_rasa_and_the_action_server_log_json_lines_without_the_persons_words(tmp_path) -> None:
    stack = Stack(tmp_path, {"LOG_FORMAT": "json"})
    try:
        stack.start("rasa", "actions")
        for number, text in enumerate(
            [f"what do peer specialists earn {SENTINEL}", f'/inform{{"x": "{SENTINEL}"']
        ):
            body = {"sender": f"json-{number}", "message": text}
            reply = httpx.post(f"{stack.settings.rasa_url}/webhooks/rest/webhook", json=body,
                               timeout=60)  # fmt: skip
            assert reply.status_code == 200
    finally:
        stack.close()
    for name in ("rasa", "actions"):
        lines = [line for line in stack.logs(name).splitlines() if line.strip()]
        assert lines, f"{name} logged nothing"
        not_json = []
        for line in lines:
            try:
                assert isinstance(json.loads(line), dict)
            except (ValueError, AssertionError):
                not_json.append(line)
        assert not_json == [], f"{name}: {not_json[:5]}"
        assert SENTINEL not in stack.logs(name)
