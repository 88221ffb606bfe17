"""The action server's Prometheus metrics, served at GET /metrics (actions/__main__.py).

Counts and timings only: per action (a label from the registered actions, never
from the request as such), and per knowledge search. No label carries text or an id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

REGISTRY = CollectorRegistry()
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

ACTION_SECONDS = Histogram(
    "peerpath_action_seconds", "Time an action took", ["action"], buckets=BUCKETS,
    registry=REGISTRY,
)  # fmt: skip
ACTION_ERRORS = Counter(
    "peerpath_action_errors", "Actions that failed", ["action"], registry=REGISTRY
)
SEARCH_SECONDS = Histogram(
    "peerpath_search_seconds", "Time a knowledge search took", buckets=BUCKETS, registry=REGISTRY
)
CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    return generate_latest(REGISTRY)
