"""Web sessions end: a token is refused after SESSION_IDLE_MINUTES unused, and at once
once revoked (bot/sessions.py), with a clock the test moves."""

from __future__ import annotations

import pytest

from bot.sessions import CLOCK_SKEW, MemoryRecords, WebSessions
from peerpath.settings import Secret

IDLE_MINUTES = 60
MINUTE = 60.0


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * MINUTE


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(clock: Clock) -> WebSessions:
    return WebSessions(Secret("spec-secret"), IDLE_MINUTES, clock=clock)


async def test_a_new_token_works_and_names_its_session(sessions: WebSessions) -> None:
    token = sessions.issue()
    session = await sessions.check(token)
    assert session is not None and token.startswith(session + ".")
    assert sessions.verify(token) == session


@pytest.mark.parametrize(
    ("idle", "works"),
    [(0, True), (59, True), (60, True), (61, False), (24 * 60, False)],
)
async def test_a_token_never_used_ends_after_the_idle_expiry(
    sessions: WebSessions, clock: Clock, idle: int, works: bool
) -> None:
    token = sessions.issue()
    clock.advance(idle)
    assert (await sessions.check(token) is not None) is works
    assert (sessions.verify(token) is not None) is works


async def test_each_use_keeps_a_session_alive_for_another_idle_expiry(
    sessions: WebSessions, clock: Clock
) -> None:
    token = sessions.issue()
    for _ in range(5):  # four hours in all, never more than 50 minutes apart
        clock.advance(50)
        assert await sessions.check(token) is not None
    clock.advance(IDLE_MINUTES + 1)
    assert await sessions.check(token) is None, "idle too long after the last use"


async def test_a_revoked_session_is_refused_at_once_and_stays_refused(
    sessions: WebSessions, clock: Clock
) -> None:
    token = sessions.issue()
    session = await sessions.check(token)
    assert session is not None
    await sessions.end(session)
    assert await sessions.check(token) is None
    assert sessions.verify(token) is None
    clock.advance(IDLE_MINUTES - 1)
    assert await sessions.check(token) is None, "a refusal is not a use"
    clock.advance(2)
    assert await sessions.check(token) is None, "and after the record lapses, the token has too"


async def test_revoking_one_session_leaves_the_others(sessions: WebSessions) -> None:
    mine, theirs = sessions.issue(), sessions.issue()
    await sessions.end(mine.split(".")[0])
    assert await sessions.check(mine) is None
    assert await sessions.check(theirs) is not None


async def test_a_new_token_after_revoking_is_a_new_session(sessions: WebSessions) -> None:
    old = await sessions.check(sessions.issue())
    assert old is not None
    await sessions.end(old)
    new = await sessions.check(sessions.issue())
    assert new is not None and new != old


@pytest.mark.parametrize(
    "token",
    [
        None,
        42,
        "",
        "me",
        "A" * 24 + "." + "B" * 32,  # the old form, with no time in it: ended
        "A" * 24 + ".1700000000." + "B" * 32,  # a time, but not our signature
    ],
)
async def test_anything_but_a_genuine_token_is_refused(sessions: WebSessions, token) -> None:
    assert sessions.read(token) is None
    assert await sessions.check(token) is None


async def test_changing_the_time_in_a_token_breaks_its_signature(
    sessions: WebSessions, clock: Clock
) -> None:
    token = sessions.issue()
    session, _issued, signature = token.split(".")
    clock.advance(IDLE_MINUTES + 5)
    younger = f"{session}.{int(clock.now)}.{signature}"
    assert await sessions.check(younger) is None


async def test_another_install_cant_make_tokens_for_this_one(clock: Clock) -> None:
    ours = WebSessions(Secret("ours"), clock=clock)
    theirs = WebSessions(Secret("theirs"), clock=clock)
    assert await ours.check(theirs.issue()) is None


async def test_a_little_clock_skew_between_gateways_is_allowed(clock: Clock) -> None:
    ahead = Clock(clock.now + CLOCK_SKEW / 2)
    issued_ahead = WebSessions(Secret("s"), clock=ahead).issue()
    assert await WebSessions(Secret("s"), clock=clock).check(issued_ahead) is not None
    far = Clock(clock.now + 10 * CLOCK_SKEW)
    issued_far = WebSessions(Secret("s"), clock=far).issue()
    assert await WebSessions(Secret("s"), clock=clock).check(issued_far) is None


def test_memory_records_lapse_after_their_ttl_and_stay_small(clock: Clock) -> None:
    records = MemoryRecords(ttl=10 * MINUTE, clock=clock)
    for n in range(1000):
        records.touch(f"s{n}")
        records.mark_revoked(f"r{n}")
    clock.advance(11)
    records.touch("latest")
    records.mark_revoked("latest-revoked")
    assert not records.ended_here("latest", fresh=False)
    assert records.revoked("latest-revoked")
    assert records.ended_here("s1", fresh=False)
    assert not records.revoked("r1")
    assert len(records._seen) == 1 and len(records._revoked) == 1, "lapsed records are dropped"
