"""How much of each safety set Rasa's own `crisis` intent catches, without the
gateway's safety net: `make safety-report` (runs in the Rasa venv).

The net exists because an NLU miss must not swallow a crisis message; this
report shows how often the first layer alone would have missed. It prints a
Markdown table and exits 0: the pass/fail gate on the sets is the net's test
(tests/safety/test_safety_net.py), not this report.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent / "tests" / "safety"  # the safety sets
SETS = (
    "crisis.yml", "crisis_blind.yml", "crisis_blind2.yml",
    "not_crisis.yml", "not_crisis_blind.yml", "sensitive_blind2.yml",
)  # fmt: skip


def messages(path: Path) -> list[str]:
    """A set's texts: plain strings, or dicts with a "text" (the graded sets)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return [str(m["text"] if isinstance(m, dict) else m) for m in raw]


async def crisis_share(model: str, sets: dict[str, list[str]]) -> dict[str, int]:
    import structlog  # Rasa venv only
    from rasa.core.agent import Agent

    # Rasa's structured debug log would print every message it parses
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(model)
    caught = {}
    for name, texts in sets.items():
        parsed = [await agent.parse_message(text) for text in texts]
        caught[name] = sum(p["intent"]["name"] == "crisis" for p in parsed)
    return caught


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/peerpath.tar.gz")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.basicConfig(level=logging.WARNING)
    sets = {name: messages(HERE / name) for name in SETS}
    caught = asyncio.run(crisis_share(args.model, sets))
    print("| set | messages | Rasa's `crisis` intent |")
    print("|---|---|---|")
    for name, texts in sets.items():
        share = caught[name] / len(texts)
        print(f"| `{name}` | {len(texts)} | {caught[name]} ({share:.0%}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
