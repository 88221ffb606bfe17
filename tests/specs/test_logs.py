"""Log lines, as text or as JSON (LOG_FORMAT): secrets redacted from either, tracebacks too."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from peerpath import logs

SECRET = "s3cret-token-0123456789"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    yield io.StringIO()
    logging.getLogger().handlers.clear()
    logging.captureWarnings(False)


def _log_everything() -> None:
    log = logging.getLogger("peerpath.test")
    log.info("turn kind=%s ms=%d", "answer", 42)
    log.warning("calling https://api.example/bot%s/getMe", SECRET)
    try:
        raise RuntimeError(f"refused https://api.example/bot{SECRET}/send")
    except RuntimeError:
        log.exception("delivery failed")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_secret_reaches_a_line_in_either_format(captured, log_format) -> None:
    logs.configure("INFO", secrets=[SECRET], stream=captured, log_format=log_format)
    _log_everything()
    out = captured.getvalue()
    assert SECRET not in out
    assert out.count("<redacted>") == 2  # the message, and the traceback's last line


def test_json_lines_are_one_object_each_with_time_level_logger_message(captured) -> None:
    logs.configure("INFO", secrets=[SECRET], stream=captured, log_format="json")
    _log_everything()
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["INFO", "WARNING", "ERROR"]
    assert lines[0]["message"] == "turn kind=answer ms=42"
    assert {"time", "logger"} <= lines[0].keys() and lines[0]["time"].endswith("+00:00")
    assert "RuntimeError" in lines[2]["exc"] and "exc" not in lines[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"event": "rasa.core.turn", "level": "info"}',
         {"process": "rasa", "event": "rasa.core.turn", "level": "info"}),
        ("Starting Rasa server", {"process": "rasa", "message": "Starting Rasa server"}),
        ("[1, 2]", {"process": "rasa", "message": "[1, 2]"}),
        ("", {"process": "rasa", "message": ""}),
    ],
)  # fmt: skip
def test_a_childs_line_becomes_one_json_object_naming_the_child(line, expected) -> None:
    assert json.loads(logs.child_json_line("rasa", line)) == expected
