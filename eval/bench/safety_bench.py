"""What the graded safety assessment costs per message: part of `make bench`.

The gateway embeds each message once (all-MiniLM-L6-v2) and hands the vector
to the assessment, search and Rasa; so the assessment's own cost is the rules
and the classifier given that vector. Measured over every message of the
safety sets, the held-out NLU sets and the dev questions, three rounds, warm.
Target (issue #13): the assessment adds at most 10 ms p95 per message.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml
from gateway.safety import SafetyNet

from peerpath.search.embedder import Embedder
from peerpath.settings import PROJECT_ROOT
from eval.bench.search_bench import percentile
from tests.safety.report import CALM_SETS, CRISIS_SETS, held_out_ordinary, load


def messages() -> list[str]:
    texts = [m.text for name in CRISIS_SETS + CALM_SETS for m in load(name)]
    texts += [m.text for m in held_out_ordinary()]
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
    net = SafetyNet.open(Path("var") / "safety", embedder, PROJECT_ROOT / "data" / "nlu")
    texts = messages()
    vectors = embedder.encode(texts)
    pairs = list(zip(texts, vectors, strict=True))
    rows = [
        ("embedding the message (shared with search and Rasa)",
         timed(lambda t: embedder.encode_query(t), texts)),
        ("assessment, given the vector (rules + classifier)",
         timed(lambda p: net.assess(p[0], p[1]), pairs)),
    ]  # fmt: skip
    print(f"\nSafety assessment over {len(texts)} messages, 3 rounds")
    print("| step | p50 ms | p95 ms |")
    print("|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.2f} | {percentile(times, 95):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
