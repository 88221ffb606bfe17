"""Errors PeerPath raises on purpose.

    PeerPathError
     ├── ConfigError          a setting is missing or malformed (names the key, never the value)
     ├── BadRequest           input refused at the edge (HTTP 4xx)
     ├── RasaUnavailable      the Rasa server cannot be reached or answered badly
     ├── SearchError          the knowledge index cannot be built, loaded or queried
     │    └── IndexMismatch   a saved index does not match the documents or the model
     ├── HandoffError         a hand-off operation is not allowed in the ticket's state
     ├── StoreUnavailable     the hand-off store (SQL) cannot be reached right now
     └── ChannelError         a user-facing channel (Telegram, web) failed to deliver

Each is caught at the outer edge (a Starlette exception handler, PTB's error
handler, the CLI's main): the person gets a calm message, the log gets the
error's class and a pseudonymous conversation id, never message text.
"""

from __future__ import annotations


class PeerPathError(Exception):
    """Base class of every error PeerPath raises on purpose."""


class ConfigError(PeerPathError):
    """A setting is missing or malformed."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class BadRequest(PeerPathError):
    """Input refused where it enters; `detail` is safe to show to the caller.

    `retry_after` (seconds) goes with 429: too many messages or requests.
    """

    def __init__(
        self, detail: str, status_code: int = 400, retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status_code = status_code
        self.retry_after = retry_after


class RasaUnavailable(PeerPathError):
    """The Rasa server did not answer, or answered with an error."""


class RasaBusy(RasaUnavailable):
    """One conversation's message ran out of time while Rasa serves the others (its own
    earlier messages still running): "one moment" for that person, not an outage."""


class SearchError(PeerPathError):
    """The knowledge index cannot be built, loaded or queried."""


class IndexMismatch(SearchError):
    """A saved index is stale, corrupt or was built by another model."""


class HandoffError(PeerPathError):
    """A hand-off operation is not allowed (wrong state, not staff, unknown ticket)."""

    def __init__(self, detail: str, status_code: int = 409) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status_code = status_code


class StoreUnavailable(PeerPathError):
    """The hand-off store (SQLite or PostgreSQL) cannot be reached right now."""


class ChannelError(PeerPathError):
    """A channel could not deliver a message to a person or to staff."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
