"""How the safety net grades every safety set: `python -m tests.safety.report`.

For each crisis set: how many messages are graded crisis (recall must be
1.0) and how many of those get 911 first. For each hard-negative set: how
many become a crisis takeover (false alarms), sensitive, or none, by
category. Held-out NLU messages of other intents must never be a takeover.
`--show` lists every miss and false alarm; `--reserved` adds the reserved
blind sets (tests/safety/reserved/), which are measured only at the end.
"""

from __future__ import annotations

import argparse
import collections
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from peerpath.protocol import Safety

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CRISIS_SETS = ("crisis", "crisis_blind", "crisis_blind2")
CALM_SETS = ("not_crisis", "not_crisis_blind", "sensitive_blind2")
RESERVED_CRISIS = ("reserved/crisis_blind3",)
RESERVED_CALM = ("reserved/sensitive_blind3",)


@dataclass(frozen=True)
class Item:
    text: str
    category: str = ""
    lang: str = ""
    emergency: bool | None = None


def load(name: str) -> list[Item]:
    """A safety set: plain strings, or dicts with text, category, lang, emergency_911_first."""
    raw = yaml.safe_load((HERE / f"{name}.yml").read_text(encoding="utf-8"))["messages"]
    return [
        Item(m)
        if isinstance(m, str)
        else Item(m["text"], m.get("category", ""), m.get("lang", ""), m.get("emergency_911_first"))
        for m in raw
    ]


def held_out_ordinary() -> list[Item]:
    """Held-out NLU messages of every intent but crisis (ordinary chat)."""
    from bot.safety.model import nlu_examples

    items = []
    for path in (ROOT / "tests" / "nlu_test.yml", ROOT / "tests" / "nlu_blind.yml"):
        items += [Item(text, intent) for intent, text in nlu_examples(path) if intent != "crisis"]
    return items


def evaluate(net: Any, reserved: bool = False) -> dict[str, Any]:
    """{set: {"n", "crisis", "sensitive", "none", "by_category", "misses"/"alarms", ...}}."""
    results: dict[str, Any] = {}
    crisis_sets = CRISIS_SETS + (RESERVED_CRISIS if reserved else ())
    calm_sets = CALM_SETS + (RESERVED_CALM if reserved else ())
    named = [(n, load(n), True) for n in crisis_sets] + [(n, load(n), False) for n in calm_sets]
    named.append(("held_out_ordinary", held_out_ordinary(), False))
    for name, items, is_crisis in named:
        counts: collections.Counter[str] = collections.Counter()
        categories: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        wrong: list[str] = []
        emergency_right = emergency_total = spanish_right = spanish_total = 0
        for item in items:
            grade = net.assess(item.text)
            counts[grade.level] += 1
            categories[item.category or "-"][grade.level] += 1
            if is_crisis and not grade.crisis:
                wrong.append(f"[{grade.level}/{grade.by}] {item.text}")
            if not is_crisis and grade.crisis:
                wrong.append(f"[{item.category}/{grade.by}] {item.text}")
            if is_crisis and item.emergency is not None:
                emergency_total += item.emergency
                emergency_right += bool(item.emergency and grade.emergency)
            if is_crisis and item.lang == "es":
                spanish_total += 1
                spanish_right += grade.lang == "es"
        result = {
            "n": len(items),
            "crisis": counts[Safety.CRISIS],
            "sensitive": counts[Safety.SENSITIVE],
            "none": counts[Safety.NONE],
            "by_category": {k: dict(v) for k, v in sorted(categories.items())},
            "misses" if is_crisis else "alarms": wrong,
        }
        if emergency_total:
            result["emergency_911_first"] = f"{emergency_right}/{emergency_total}"
        if spanish_total:
            result["spanish_reply"] = f"{spanish_right}/{spanish_total}"
        results[name] = result
    return results


def table(results: dict[str, Any]) -> str:
    lines = [f"{'set':<26}{'n':>5}{'crisis':>8}{'sensitive':>11}{'none':>6}  notes"]
    for name, r in results.items():
        notes = []
        if "misses" in r:
            notes.append(f"recall {r['crisis'] / r['n']:.3f}")
        else:
            notes.append(f"takeovers {r['crisis'] / r['n']:.1%}")
            dq = r["by_category"].get("disclosure_with_question")
            if dq:
                notes.append(f"disclosure+question takeovers {dq.get(Safety.CRISIS, 0)}")
        for key in ("emergency_911_first", "spanish_reply"):
            if key in r:
                notes.append(f"{key} {r[key]}")
        line = f"{name:<26}{r['n']:>5}{r['crisis']:>8}{r['sensitive']:>11}{r['none']:>6}  "
        lines.append(line + ", ".join(notes))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--reserved", action="store_true", help="add the reserved blind sets")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from bot.safety import SafetyNet
    from peerpath.search.embedder import Embedder
    from peerpath.settings import Settings

    settings = Settings.from_env()
    net = SafetyNet.open(
        settings.var_dir / "safety", Embedder(), ROOT / "data" / "nlu", settings.safety_threshold
    )
    results = evaluate(net, reserved=args.reserved)
    print(table(results))
    if args.show:
        for name, r in results.items():
            for line in r.get("misses", []) + r.get("alarms", []):
                print(f"{name}: {line}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
