"""Counting what PeerPath could not answer well, for content owners (peerpath/feedback.py).

Counted as it happens, by kind, nearest section and topic; never the question's
words. A count that can't be written is dropped with a log line: it never
stands in the way of an answer.
"""

from __future__ import annotations

import asyncio
import logging

from actions.services import Knowledge
from peerpath.search.index import Hit

logger = logging.getLogger(__name__)

# An answer whose section scored less than this above the bar counts as low confidence.
LOW_CONFIDENCE_MARGIN = 0.05


def kind_of_answer(best: Hit, threshold: float, missing_detail: bool) -> str | None:
    """The gap an answer shown from `best` counts as, if any."""
    if missing_detail:
        return "missing_detail"
    if best.score < threshold + LOW_CONFIDENCE_MARGIN:
        return "low_confidence"
    return None


async def count(kb: Knowledge, kind: str, nearest: Hit | None, topic: str | None) -> None:
    """Count one gap (in a thread: it writes to the database)."""
    passage = nearest.passage if nearest is not None else None
    try:
        await asyncio.to_thread(
            kb.feedback().record_gap,
            kind,
            passage.doc_id if passage else "",
            passage.heading if passage else "",
            topic or "",
        )
    except Exception as exc:  # a count lost is no reason to lose the answer
        logger.warning("gaps.not_counted kind=%s error=%s", kind, type(exc).__name__)
        return
    logger.info("gaps.counted kind=%s", kind)
