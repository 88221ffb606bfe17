"""The gateway's Prometheus metrics, served at GET /metrics: counts and timings only.

No label carries text or an id. Every label's values come from a small fixed
set (a channel, a reply's outcome, a stage, a crisis card, a language, a
status class), so a series never says who wrote what. Each gateway app owns its
registry: two apps in one process (tests) never share counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from bot.shared import client as shared_client

CONTENT_TYPE = CONTENT_TYPE_LATEST

# A turn's stages take milliseconds (safety) to seconds (Rasa under load).
STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A person waits seconds to many minutes for a peer.
CLAIM_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400)

# What a reply was, as a label: the fixed set `outcome` may take.
OUTCOMES = ("answered", "crisis", "handoff", "busy", "degraded", "unavailable", "refused")
STAGES = ("safety", "embed", "rasa", "turn")
HANDOFF_EVENTS = ("opened", "claimed", "ended")


def status_class(code: int) -> str:
    """An HTTP status as its class: 2xx, 3xx, 4xx or 5xx."""
    return f"{max(1, min(code // 100, 5))}xx"


@dataclass
class Metrics:
    """The gateway's series, in its own registry."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.messages = Counter(
            "peerpath_messages", "Messages people sent, by channel and what the reply was",
            ["channel", "outcome"], registry=r,
        )  # fmt: skip
        self.stage_seconds = Histogram(
            "peerpath_stage_seconds", "Time a turn spent in each stage (turn: all of it)",
            ["stage"], buckets=STAGE_BUCKETS, registry=r,
        )  # fmt: skip
        self.crisis_replies = Counter(
            "peerpath_crisis_replies", "Crisis replies sent, by card and language",
            ["card", "lang"], registry=r,
        )  # fmt: skip
        self.crisis_reply_errors = Counter(
            "peerpath_crisis_reply_errors", "Crisis replies that could not be sent", registry=r
        )
        self.handoffs = Counter(
            "peerpath_handoffs", "Hand-off tickets opened, claimed, ended",
            ["event", "urgent"], registry=r,
        )  # fmt: skip
        self.claim_seconds = Histogram(
            "peerpath_handoff_claim_seconds", "From a ticket's opening to its claim by a peer",
            ["urgent"], buckets=CLAIM_BUCKETS, registry=r,
        )  # fmt: skip
        self.waiting = Gauge(
            "peerpath_handoff_waiting", "Tickets waiting for a peer (read at each scrape)",
            ["urgent"], registry=r,
        )  # fmt: skip
        self.oldest_wait = Gauge(
            "peerpath_handoff_oldest_wait_seconds",
            "How long the longest-waiting unclaimed ticket has waited (0: none)", registry=r,
        )  # fmt: skip
        self.http_responses = Counter(
            "peerpath_http_responses", "HTTP responses by status class", ["status"], registry=r
        )
        self.database_errors = 0
        r.register(_StoreErrors(self))
        self.rasa_errors = Counter(
            "peerpath_rasa_errors", "Turns Rasa did not answer: busy or unavailable",
            ["kind"], registry=r,
        )  # fmt: skip

    def reply(self, channel: str, outcome: str) -> None:
        self.messages.labels(channel=channel, outcome=outcome).inc()

    def stage(self, stage: str, seconds: float) -> None:
        self.stage_seconds.labels(stage=stage).observe(seconds)

    def crisis_reply(self, card: str, lang: str) -> None:
        self.crisis_replies.labels(card=card, lang=lang).inc()

    def handoff(self, event: str, urgent: bool) -> None:
        self.handoffs.labels(event=event, urgent=str(urgent).lower()).inc()

    def claimed(self, urgent: bool, waited_seconds: float) -> None:
        self.handoff("claimed", urgent)
        self.claim_seconds.labels(urgent=str(urgent).lower()).observe(max(0.0, waited_seconds))

    def queue(self, waiting: int, urgent_waiting: int, oldest_seconds: float) -> None:
        self.waiting.labels(urgent="false").set(waiting - urgent_waiting)
        self.waiting.labels(urgent="true").set(urgent_waiting)
        self.oldest_wait.set(max(0.0, oldest_seconds))

    def exposition(self) -> bytes:
        """The registry in Prometheus's text format."""
        return generate_latest(self.registry)


class _StoreErrors(Collector):
    """peerpath_store_errors{store}: the hand-off database's failed calls, counted here,
    and Redis's, counted by the shared state's circuit breakers (bot/shared/client.py)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "peerpath_store_errors", "Failed calls to a store", labels=["store"]
        )
        family.add_metric(["database"], self._metrics.database_errors)
        family.add_metric(["redis"], sum(shared_client.FAILURES.values()))
        yield family
