"""What the graded safety assessment costs per message: part of `make bench`.

The assessment reads words alone (the rules' floor, then the learned model on
the whole message and each clause); it needs no embedding, so a crisis is
graded before the message is embedded for search and Rasa. The embedding's
cost is shown beside it. Measured over every message of the older safety sets
and the dev questions, three rounds, warm. Target (issue #23): the assessment
takes at most 10 ms p95 per message.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

from bot.safety import SafetyNet
from eval.bench.search_bench import percentile
from eval.safety_report import OLD_CALM, OLD_CRISIS, old_set
from peerpath.search.embedder import Embedder
from peerpath.settings import PROJECT_ROOT


def messages() -> list[str]:
    texts = [e.text for name in OLD_CRISIS for e in old_set(name, crisis=True)]
    texts += [e.text for name in OLD_CALM for e in old_set(name, crisis=False)]
    dev = PROJECT_ROOT / "tests" / "eval" / "dev_questions.yml"
    return texts + [item["q"] for item in yaml.safe_load(dev.read_text())]


def timed(work, items, rounds: int = 3) -> list[float]:  # type: ignore[no-untyped-def]
    for item in items[:20]:
        work(item)  # warm up
    times = []
    for _ in range(rounds):
        for item in items:
            started = time.perf_counter()
            work(item)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    embedder = Embedder()
    net = SafetyNet.open(Path("var") / "safety")
    texts = messages()
    rows = [
        ("embedding the message (for search and Rasa)", timed(embedder.encode_query, texts)),
        ("assessment (floor + model, whole and clauses)", timed(net.assess, texts)),
    ]
    print(f"\nSafety assessment over {len(texts)} messages, 3 rounds")
    print("| step | p50 ms | p95 ms |")
    print("|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.2f} | {percentile(times, 95):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
