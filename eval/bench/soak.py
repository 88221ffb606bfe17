"""`make soak`: PeerPath under a steady load for a long time, its memory sampled.

The stack is started as `make run` starts it (eval/bench/chat_bench.Stack), then
the bench's Locust users (20 by default) hold conversations for MINUTES (30)
while the resident memory of every process is read once a minute. It prints
one row per minute and the verdict issue 28 asks for: after a warm-up (the
first 5 minutes), no process and not the total grows by more than 10%, and no
request fails. Bounded and on loopback; results in results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eval.bench.chat_bench import ROOT, Stack, locust_argv, main_row

WARM_UP_MINUTES = 5
MAX_GROWTH = 0.10


def growth(samples: list[dict[str, float]], name: str) -> float:
    """How much `name` grew from the end of the warm-up to the end (a fraction)."""
    start = samples[min(WARM_UP_MINUTES, len(samples) - 1)][name]
    return (samples[-1][name] - start) / start if start else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="peerpath-soak-", dir="/tmp") as tmp:
        var, out = Path(tmp) / "var", Path(tmp) / "out"
        var.mkdir()
        out.mkdir()
        stack = Stack(ROOT, var)
        stack.start()
        print(f"healthy after {stack.started_in:.0f} s; {args.users} users for {args.minutes} min")
        load = subprocess.Popen(
            locust_argv(stack.gateway, args.users, args.minutes * 60, out / "soak"),
            env={**os.environ, "BENCH_TARGET": "gateway"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        samples: list[dict[str, float]] = []
        try:
            started = time.monotonic()
            for minute in range(args.minutes + 1):
                time.sleep(max(0.0, started + minute * 60 - time.monotonic()))
                rss = stack.rss_mb()
                rss["total"] = sum(rss.values())
                samples.append(rss)
                shown = ", ".join(f"{k} {v:,.0f}" for k, v in rss.items())
                print(f"minute {minute:>2}: {shown} MB", flush=True)
            load.wait(timeout=120)
        finally:
            if load.poll() is None:
                load.kill()
            stack.stop()
        row = main_row(out / "soak", "gateway")
    names = list(samples[0])
    grown = {name: growth(samples, name) for name in names}
    requests, failures = int(row["Request Count"]), int(row["Failure Count"])
    result: dict[str, Any] = {
        "minutes": args.minutes, "users": args.users, "messages": requests,
        "errors": failures, "msg_per_s": round(requests / (args.minutes * 60), 1),
        "p95_ms": float(row["95%"]), "rss_mb": samples,
        "growth_after_warm_up": {k: round(v, 4) for k, v in grown.items()},
    }  # fmt: skip
    ok = failures == 0 and all(v <= MAX_GROWTH for v in grown.values())
    print(f"{requests:,} messages, {failures} errors, {result['msg_per_s']} msg/s, "
          f"p95 {result['p95_ms']:.0f} ms")  # fmt: skip
    print("growth after the warm-up: " + ", ".join(f"{k} {v:+.1%}" for k, v in grown.items()))
    print("PASS" if ok else "FAIL", f"(at most {MAX_GROWTH:.0%} growth, 0 errors)")
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "soak.json").write_text(json.dumps(result, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
