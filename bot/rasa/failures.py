"""When to stop sending to Rasa for a few seconds: failures counted where they happen.

Rasa runs one conversation's messages one after another (its lock store), so a
person who sends a dozen questions at once can make their own later messages
wait past the timeout while Rasa serves everyone else well. A timeout
therefore says something about one conversation, and trips the switch for
everyone only when several conversations time out within the window. A
refused connection or a server error says Rasa itself is unwell: that trips
it at once. A deliberately short wait (a request for a human, which opens a
ticket without Rasa when it runs out) never counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DOWN_SECONDS = 5.0  # after a failure of Rasa itself, fail fast for this long
TIMEOUT_CONVERSATIONS = 3  # distinct conversations timing out within DOWN_SECONDS


@dataclass
class FailureSwitch:
    """Trips on Rasa's own failures, and on timeouts across several conversations."""

    down_seconds: float = DOWN_SECONDS
    timeout_conversations: int = TIMEOUT_CONVERSATIONS
    clock: Callable[[], float] = time.monotonic
    _down_until: float = 0.0
    _timeouts: dict[str, float] = field(default_factory=dict)  # conversation -> last timeout
    _slow_until: dict[str, float] = field(default_factory=dict)  # conversation -> until when

    @property
    def tripped(self) -> bool:
        """Whether calls to Rasa should fail at once for now."""
        return self.clock() < self._down_until

    def slow(self, conversation: str) -> bool:
        """Whether this conversation's own turns ran out of time moments ago: its
        bookkeeping (pausing Rasa for a hand-off) should not wait on it again."""
        until = self._slow_until.get(conversation)
        if until is not None and self.clock() >= until:
            del self._slow_until[conversation]
            return False
        return until is not None

    def waited_out(self, conversation: str) -> None:
        """A deliberately short wait for `conversation` ran out (counted for it alone)."""
        self._slow_until[conversation] = self.clock() + self.down_seconds

    def server_failed(self) -> None:
        """Rasa refused, was unreachable or answered with an error."""
        self._down_until = self.clock() + self.down_seconds

    def timed_out(self, conversation: str) -> bool:
        """A message of `conversation` ran out of time; whether that tripped the switch."""
        now = self.clock()
        self._timeouts = {
            conv: at for conv, at in self._timeouts.items() if now - at < self.down_seconds
        }
        self._timeouts[conversation] = now
        self._slow_until[conversation] = now + self.down_seconds
        if len(self._timeouts) >= self.timeout_conversations:
            self._down_until = now + self.down_seconds
        return self.tripped

    def succeeded(self, conversation: str) -> None:
        """A message of `conversation` was answered."""
        self._timeouts.pop(conversation, None)
        self._slow_until.pop(conversation, None)
