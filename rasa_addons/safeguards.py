"""PeerPath's safeguards inside Rasa's process, installed before Rasa starts.

Rasa is run through `python -m rasa_addons run ...` so that:

- no log line carries what a person typed: Rasa's structured-log keys that
  can hold message text (its own list: text, parse_data_text, user_message,
  ...) are always redacted, tracebacks are logged without frame locals, and
  Python warnings raised while serving (e.g. "Failed to parse arguments in
  line '<text>'") are printed without their message;
- Rasa's validation of action-server responses keeps validating every
  response, but against a schema checked and compiled once, instead of
  checking the schema against its metaschema on every action call;
- with LOG_FORMAT=json every line is one JSON object: Rasa's structured
  events (its own JSON renderer) and its plain log records (PeerPath's
  JsonFormatter in place of coloredlogs);
- per turn work that never changes is done once: the list of event classes
  Rasa looks up for every stored event is computed once it is serving, and a
  SQLite tracker store keeps its connections and runs in WAL mode (a commit is
  not two fsyncs).
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import Any

REDACTED = "<redacted>"
# Rasa's own list of log keys that can hold message text (rasa/utils/log_utils.py).
_TEXT_KEYS = (
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
    "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
    "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
    "entity", "token_text", "user_message", "json_message",
)  # fmt: skip
_serving = False
SQLITE_POOL_SIZE = 4
_JSON = os.environ.get("LOG_FORMAT", "").lower() == "json"


def _show_warning(message: Any, category: type, filename: str, lineno: int, *args: Any) -> None:
    """Warnings while serving may quote a message: print only where they come from."""
    if _serving:
        text = f"{category.__name__} at {filename}:{lineno} (message withheld: it may quote a user)"
    else:
        text = warnings.formatwarning(message, category, filename, lineno)
    if _JSON:
        record = logging.LogRecord("py.warnings", logging.WARNING, filename, lineno, "%s",
                                   (text.rstrip(),), None)  # fmt: skip
        from peerpath.logs import JsonFormatter

        text = JsonFormatter().format(record)
    sys.stderr.write(text.rstrip() + "\n")


def _redact(logger: Any, method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Rasa's structlog processor for text-bearing keys, redacting them unconditionally."""
    for key in _TEXT_KEYS:
        if key in event_dict:
            event_dict[key] = REDACTED
    return event_dict


def _redact_logs() -> None:
    import rasa.utils.log_utils
    import structlog
    from structlog.tracebacks import ExceptionDictTransformer

    # Rasa anonymizes these keys only when Rasa Pro's pipeline is present; here, always.
    rasa.utils.log_utils._anonymizer = _redact
    # Rasa's JSON logs render tracebacks with every frame's local variables, message
    # text included: keep the frames, drop the locals.
    structlog.processors.dict_tracebacks = structlog.processors.ExceptionRenderer(
        ExceptionDictTransformer(show_locals=False)
    )
    warnings.showwarning = _show_warning

    import rasa.core.run

    load_agent = rasa.core.run.load_agent_on_start

    async def load_then_serve(*args: Any, **kwargs: Any) -> Any:
        global _serving
        agent = await load_agent(*args, **kwargs)
        _serving = True  # from here on, warnings may be about people's messages
        return agent

    rasa.core.run.load_agent_on_start = load_then_serve


def compiled_validation() -> None:
    """RemoteAction validates with a validator built once from its response schema."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                "For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def cached_event_classes() -> None:
    """Rasa looks up every event's class by scanning all subclasses of Event, per
    event per turn; once serving, the classes are all imported and don't change."""
    import functools

    import rasa.shared.utils.common

    scan = rasa.shared.utils.common.all_subclasses
    cached = functools.cache(scan)

    def all_subclasses(cls: Any) -> list[Any]:
        return list(cached(cls)) if _serving else scan(cls)

    rasa.shared.utils.common.all_subclasses = all_subclasses


def wal_tracker_store() -> None:
    """A SQLite tracker store that keeps its connections, in WAL mode with normal
    syncing (PostgreSQL is untouched: Rasa already pools its connections).

    SQLAlchemy 1.4 opens a file database's connection per session and closes it
    after (NullPool): under load, connecting, setting the pragmas and closing
    took about a tenth of Rasa's CPU. A small pool of kept connections, each
    given the pragmas once when it opens, does the same work once.
    """
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy import event
    from sqlalchemy.pool import QueuePool

    original = SQLTrackerStore.__init__

    def __init__(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.engine.dialect.name != "sqlite" or self.engine.url.database in (
            None,
            "",
            ":memory:",
        ):
            return
        url = self.engine.url
        self.engine.dispose()
        # Rasa calls the store from its event loop's thread; the pool may hand a
        # connection to another thread only after it was returned.
        self.engine = sa.create_engine(
            url,
            poolclass=QueuePool,
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
            connect_args={"check_same_thread": False},
        )

        def pragmas(connection: Any, record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        event.listen(self.engine, "connect", pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    SQLTrackerStore.__init__ = __init__  # type: ignore[method-assign]


def json_logs() -> None:
    """LOG_FORMAT=json: one JSON object per line, from structlog and plain records alike."""
    if not _JSON:
        return
    os.environ["FORCE_JSON_LOGGING"] = "1"  # read when rasa.utils.log_utils is imported
    import rasa.utils.io

    from peerpath.logs import JsonFormatter

    colored = rasa.utils.io.configure_colored_logging

    def configure_logging(loglevel: Any) -> None:
        colored(loglevel)
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())

    rasa.utils.io.configure_colored_logging = configure_logging


def install() -> None:
    warnings.showwarning = _show_warning  # before Rasa's imports warn
    json_logs()
    _redact_logs()
    compiled_validation()
    cached_event_classes()
    wal_tracker_store()
