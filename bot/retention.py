"""Retention: conversations are kept RETENTION_DAYS (default 90), then deleted.

Once a day the gateway (and `python -m bot retention`, e.g. from a Kubernetes
CronJob) deletes:
- Rasa's tracker events of every conversation whose last event is older than
  that (what the person and the assistant said, slots, everything);
- the messages of hand-off tickets closed before then, the person's address
  and callback contact, and deliveries done by then. The ticket rows stay,
  anonymous (no conversation id), so the team's counts remain.
Web sessions need no sweep: their records go with their idle expiry
(bot/sessions.py). Feedback holds counts only. Running twice does nothing more.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

from bot.handoff.store import HandoffStore
from bot.rasa import tracker
from peerpath.settings import Settings

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60


def sweep(
    settings: Settings, store: HandoffStore, now: dt.datetime | None = None
) -> dict[str, int]:
    """Delete what is older than the retention period; how many of each were deleted.

    Synchronous (run it in a worker thread from async code)."""
    if settings.retention_days <= 0:
        return {}
    started = time.perf_counter()
    before = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=settings.retention_days)
    if settings.rasa_tracker_url:
        events, conversations = tracker.sweep_in(
            settings.rasa_tracker_url.reveal(), before.timestamp()
        )
    else:
        events, conversations = tracker.sweep(settings.rasa_tracker_db, before.timestamp())
    counts = {"conversations": conversations, "assistant_events": events, **store.sweep(before)}
    counts["expired_lists"] = store.sweep_lists()
    logger.info(
        "retention.swept days=%d %s ms=%.0f",
        settings.retention_days,
        " ".join(f"{k}={v}" for k, v in counts.items()),
        (time.perf_counter() - started) * 1000,
    )
    return counts


async def daily(settings: Settings, store: HandoffStore, first_after: float = 60.0) -> None:
    """The gateway's daily sweep (a minute after start, then every day)."""
    await asyncio.sleep(first_after)
    while True:
        try:
            await asyncio.to_thread(sweep, settings, store)
        except Exception as exc:  # a store down today: tomorrow's sweep catches up
            logger.warning("retention.failed error=%s", type(exc).__name__)
        await asyncio.sleep(DAY_SECONDS)
