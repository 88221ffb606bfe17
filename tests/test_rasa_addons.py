"""Rasa's start-up safeguards (rasa_addons/safeguards.py), run in Rasa's own venv."""

from __future__ import annotations

import pytest

from tests.test_nlu_components import _run_in_rasa

pytestmark = pytest.mark.slow


def test_action_responses_are_validated_without_checking_the_schema_each_time() -> None:
    """Fails if Rasa goes back to validating its schema against the metaschema per call."""
    script = """
import json
import jsonschema.validators as validators
from rasa.core.actions.action import RemoteAction
from rasa_addons import safeguards

safeguards.compiled_validation()
checks = []
original = validators.Draft202012Validator.check_schema
def counting(schema, *args, **kwargs):
    checks.append(1)
    return original(schema, *args, **kwargs)
for cls in {validators.validator_for(RemoteAction.action_response_format_spec()),
            validators.Draft202012Validator, validators.Draft7Validator}:
    cls.check_schema = staticmethod(counting)
action = RemoteAction("action_answer_question", None)
good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
valid = all(action._validate_action_result(good) for _ in range(50))
try:
    action._validate_action_result({"events": "not a list"})
    refused = False
except Exception as exc:
    refused = type(exc).__name__ == "ValidationError"
print(json.dumps({"valid": valid, "refused": refused, "schema_checks": len(checks)}))
"""
    assert _run_in_rasa(script, []) == {"valid": True, "refused": True, "schema_checks": 0}


def test_text_bearing_log_keys_are_redacted_and_tracebacks_drop_locals() -> None:
    script = """
import json
import rasa.utils.log_utils as log_utils
import structlog
from rasa_addons import safeguards

safeguards._redact_logs()
event = log_utils._anonymizer(None, "error", {"event": "x", "text": "words", "user_message": "w"})
renderer = structlog.processors.dict_tracebacks
def boom(text):
    raise ValueError("x")
try:
    boom("a person's words")
except ValueError:
    import sys
    rendered = renderer(None, "error", {"event": "x", "exc_info": sys.exc_info()})
shown = json.dumps(rendered, default=str)
print(json.dumps({"event": event, "locals": "a person's words" in shown}))
"""
    result = _run_in_rasa(script, [])
    assert result["event"] == {"event": "x", "text": "<redacted>", "user_message": "<redacted>"}
    assert result["locals"] is False


def test_a_sqlite_tracker_store_keeps_its_connections_in_wal_mode(tmp_path) -> None:
    """Fails if the store goes back to a connection (and its pragmas) per session."""
    script = f"""
import asyncio, json
from sqlalchemy import event
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_addons import safeguards

safeguards.wal_tracker_store()
store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db="{tmp_path / "tracker.db"}")
opened = []
event.listen(store.engine, "connect", lambda *a: opened.append(1))

async def turns():
    for n in range(20):
        tracker = await store.retrieve("kept") or DialogueStateTracker("kept", [])
        tracker.update(UserUttered(f"hello {{n}}"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
    return await store.retrieve("kept")

tracker = asyncio.run(turns())
with store.engine.connect() as connection:
    mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
print(json.dumps({{"opened": len(opened), "mode": mode, "events": len(tracker.events)}}))
"""
    assert _run_in_rasa(script, []) == {"opened": 1, "mode": "wal", "events": 40}


def test_every_module_rasa_may_import_imports_in_rasas_venv() -> None:
    """The boundary's other half (tests/specs/test_rasa_boundary.py names the modules)."""
    from tests.specs.test_rasa_boundary import RASA_MAY_IMPORT

    script = """
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"python": list(sys.version_info[:2]), "failed": failed}))
"""
    result = _run_in_rasa(script, sorted(RASA_MAY_IMPORT))
    assert result == {"python": [3, 10], "failed": {}}


def test_a_token_that_begins_with_a_dash_reaches_rasa_as_its_token() -> None:
    """token_urlsafe() begins with "-" one time in 64: Rasa then refused to start."""
    script = """
import argparse, contextlib, io, json, sys
from rasa.cli.arguments.run import add_server_arguments
from rasa_addons.__main__ import with_token

parser = argparse.ArgumentParser()
add_server_arguments(parser)
token = sys.argv[1]
with contextlib.redirect_stderr(io.StringIO()):
    try:
        parser.parse_args(["--enable-api", "--auth-token", token])
        two_arguments = "accepted"
    except SystemExit:
        two_arguments = "refused"
args = parser.parse_args(with_token(["--enable-api"], token))
print(json.dumps({"two_arguments": two_arguments, "token": args.auth_token}))
"""
    assert _run_in_rasa(script, ["-Xy_-3kQ"]) == {"two_arguments": "refused", "token": "-Xy_-3kQ"}
