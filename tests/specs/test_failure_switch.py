"""When the gateway stops sending to Rasa for a few seconds (bot/rasa/failures.py)."""

from __future__ import annotations

from bot.rasa.failures import FailureSwitch


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def switch() -> tuple[FailureSwitch, Clock]:
    clock = Clock()
    return FailureSwitch(down_seconds=5.0, timeout_conversations=3, clock=clock), clock


def test_rasa_itself_failing_trips_at_once_for_a_while() -> None:
    failures, clock = switch()
    failures.server_failed()
    assert failures.tripped
    clock.now += 5.1
    assert not failures.tripped


def test_one_conversation_timing_out_again_and_again_trips_nothing() -> None:
    failures, _ = switch()
    for _ in range(12):
        assert not failures.timed_out("busy")
    assert not failures.tripped


def test_several_conversations_timing_out_together_trip_it() -> None:
    failures, _ = switch()
    assert not failures.timed_out("a") and not failures.timed_out("b")
    assert failures.timed_out("c") and failures.tripped


def test_old_timeouts_and_answered_conversations_no_longer_count() -> None:
    failures, clock = switch()
    failures.timed_out("a")
    clock.now += 6.0
    failures.timed_out("b")
    failures.timed_out("c")
    failures.succeeded("c")
    assert not failures.timed_out("d")  # a is too old, c was answered: b and d
    assert not failures.tripped


def test_a_conversation_that_ran_out_of_time_is_slow_for_a_while_alone() -> None:
    failures, clock = switch()
    failures.waited_out("asking")  # a request for a human's short wait ran out
    assert failures.slow("asking") and not failures.slow("other") and not failures.tripped
    clock.now += 5.1
    assert not failures.slow("asking")
    failures.timed_out("queued")
    assert failures.slow("queued")
    failures.succeeded("queued")
    assert not failures.slow("queued")
