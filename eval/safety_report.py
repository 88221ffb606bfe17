"""How the safety net grades messages: `make safety-report`.

Three measures, each per category and per language:

1. Writer split: for each writer of the corpus (data/safety/corpus/), a model
   trained on the other writers grades that writer's messages: how the net
   does on a way of writing it has never seen. `--calibrate` chooses the
   thresholds here (the highest recall with at most 2% of hard negatives
   and 0.5% of ordinary messages taken over) and writes
   data/safety/calibration.json.
2. The older sets of tests/safety/ (never trained on; the old rules were
   tuned on them), graded by the model trained on the whole corpus.
3. With `--unseen`: the unseen set (tests/safety/reserved/unseen4.yml), run
   once at the end of the work it measures.

For a crisis: recall, and whether the card fits (911 first for someone else
in danger and for a life in danger this minute; the bystander card for
someone else). For the rest: takeovers (graded crisis).
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.safety import CALIBRATION, SafetyNet, Thresholds, clauses, pick_card, rules
from bot.safety.corpus import Corpus, Example, read
from bot.safety.model import EPOCHS, HIDDEN, VERSION, CrisisModel, Reading
from peerpath.protocol import Card, Safety
from peerpath.settings import PROJECT_ROOT

SAFETY_SETS = PROJECT_ROOT / "tests" / "safety"
# The unseen sets, oldest first: each written blind and run once, as its round's first run
# (unseen4: issue 23's first run; unseen5: after the follow-ups writer joined the corpus).
UNSEEN_SETS = tuple(SAFETY_SETS / "reserved" / f"unseen{n}.yml" for n in (4, 5, 6))
UNSEEN = UNSEEN_SETS[-1]
OLD_CRISIS = ("crisis", "crisis_blind", "crisis_blind2", "reserved/crisis_blind3")
OLD_CALM = ("not_crisis", "not_crisis_blind", "sensitive_blind2", "reserved/sensitive_blind3")
CACHE = PROJECT_ROOT / "var" / "safety-cv"
MAX_HARD = 0.02
MAX_ORDINARY = 0.005
# At most this share of people at risk themselves (988 first) get a 911-first card.
MAX_SELF_911 = 0.10


@dataclass(frozen=True)
class Graded:
    """One held-out message, as the net's parts saw it (SafetyNet.assess, taken apart)."""

    example: Example
    whole: float
    statements: float
    known: int
    floor_risk: bool
    floor_emergency: bool
    cards: tuple[float, ...]  # the card head's probabilities, in CARDS order

    def crisis(self, t: Thresholds) -> bool:
        reading = Reading(self.whole, self.statements, np.array(self.cards), 0.0, self.known)
        return self.floor_risk or self.floor_emergency or t.crisis(reading)

    def card(self, t: Thresholds) -> Card:
        return pick_card(np.array(self.cards), t.emergency, self.floor_emergency)


def score(model: CrisisModel, examples: Sequence[Example]) -> list[Graded]:
    out = []
    for e in examples:
        units = [e.text, *clauses.split(e.text)]
        reading = model.read(e.text)
        out.append(
            Graded(
                e,
                reading.whole,
                reading.statements,
                reading.known,
                any(rules.present_risk(u) for u in units),
                any(rules.emergency(u) for u in units),
                tuple(float(p) for p in reading.cards),
            )
        )
    return out


def cross_validate(corpus: Corpus) -> list[Graded]:
    """Each writer graded by a model trained on the others (cached by the corpus's digest)."""
    digest = corpus.digest(VERSION, HIDDEN, EPOCHS, "report3")
    cache = CACHE / f"{digest[:16]}.json"
    if cache.exists():
        rows = json.loads(cache.read_text())
        return [
            Graded(
                **{
                    **r,
                    "example": Example(**{**r["example"], "card": Card(r["example"]["card"])}),
                    "cards": tuple(r["cards"]),
                }
            )
            for r in rows
        ]
    graded: list[Graded] = []
    for writer in corpus.writers:
        print(f"  training without {writer} ...", flush=True)
        graded += score(CrisisModel.train(corpus.without(writer)), corpus.only(writer).examples)
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps([asdict(g) for g in graded], ensure_ascii=False))
    return graded


def calibration_rows(graded: Sequence[Graded]) -> list[Graded]:
    """The held-out rows the thresholds are chosen on: those of a category some other
    writer wrote too. A category only one writer wrote (w8's mid-conversation
    follow-ups) is, held out, graded by a model that never saw its kind at all: that says
    nothing of the model trained on every writer, which the unseen set measures."""
    writers = collections.defaultdict(set)
    for g in graded:
        writers[g.example.category].add(g.example.writer)
    return [g for g in graded if len(writers[g.example.category]) > 1]


def calibrate(graded: Sequence[Graded]) -> tuple[Thresholds, float, float]:
    """The crisis thresholds with the highest recall within the takeover budgets, then the
    emergency threshold that puts 911 first for the most who need it while at most
    MAX_SELF_911 of people at risk themselves get 911 before 988."""
    kinds = collections.defaultdict(list)
    for g in graded:
        kinds[g.example.kind].append(g)
    best, recall = Thresholds(), -1.0
    wholes = [round(float(x), 2) for x in np.arange(0.30, 1.0, 0.01)]
    statement_ts = [round(float(x), 2) for x in np.arange(0.50, 1.0, 0.01)] + [1.01]
    for w, c in itertools.product(wholes, statement_ts):
        t = Thresholds(w, c)
        hard = np.mean([g.crisis(t) for g in kinds["hard"]])
        ordinary = np.mean([g.crisis(t) for g in kinds["ordinary"]])
        if hard > MAX_HARD or ordinary > MAX_ORDINARY:
            continue
        r = float(np.mean([g.crisis(t) for g in kinds["crisis"]]))
        if r > recall:
            best, recall = t, r
    needing = [g for g in kinds["crisis"] if first_911_needed(g.example)]
    own_risk = [g for g in kinds["crisis"] if not first_911_needed(g.example)]
    choices = []
    for e in [round(float(x), 2) for x in np.arange(0.05, 0.96, 0.01)]:
        t = Thresholds(best.whole, best.statements, e)
        if np.mean([g.card(t).emergency for g in own_risk]) > MAX_SELF_911:
            continue
        choices.append((float(np.mean([g.card(t).emergency for g in needing])), e, t))
    top, _, chosen = max(choices)
    return chosen, recall, top


def first_911_needed(e: Example) -> bool:
    return e.crisis and e.card is not Card.SELF


def table(rows: Iterable[tuple[Example, bool, str]], title: str) -> dict[str, float]:
    """Print per category and language; return the headline figures."""
    cells: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    for e, crisis, card in rows:
        lang = "es" if e.lang != "en" else "en"
        category = f"{e.kind}: {e.category}"
        for key in ((category, lang), (category, "all"), (e.kind, lang), (e.kind, "all")):
            c = cells[key]
            c["n"] += 1
            c["crisis"] += crisis
            if first_911_needed(e):
                c["need911"] += 1
                c["got911"] += crisis and Card(card).emergency
            if e.crisis and e.card is Card.BYSTANDER:
                c["bystander"] += 1
                c["got_bystander"] += crisis and card == Card.BYSTANDER
    print(f"\n### {title}\n")
    print("| category | lang | n | graded crisis | 911 first where needed | bystander card |")
    print("|---|---|---|---|---|---|")
    for (category, lang), c in sorted(cells.items()):
        share = f"{c['crisis']}/{c['n']} ({c['crisis'] / c['n']:.1%})"
        n911 = f"{c['got911']}/{c['need911']}" if c["need911"] else ""
        nby = f"{c['got_bystander']}/{c['bystander']}" if c["bystander"] else ""
        print(f"| {category} | {lang} | {c['n']} | {share} | {n911} | {nby} |")

    def share(kind: str, key: str = "crisis", of: str = "n") -> float:
        c = cells[kind, "all"]
        return c[key] / c[of] if c[of] else float("nan")

    return {
        "recall": share("crisis"),
        "hard_takeovers": share("hard"),
        "ordinary_takeovers": share("ordinary"),
        "911_first": share("crisis", "got911", "need911"),
        "bystander_card": share("crisis", "got_bystander", "bystander"),
    }


def old_set(name: str, crisis: bool) -> list[Example]:
    raw = yaml.safe_load((SAFETY_SETS / f"{name}.yml").read_text(encoding="utf-8"))["messages"]
    out = []
    for m in raw:
        text = m if isinstance(m, str) else m["text"]
        lang = "en" if isinstance(m, str) else str(m.get("lang", "en"))
        category = str(m.get("category", "")) if isinstance(m, dict) else ""
        category = category or name.split("/")[-1]
        card = Card.SELF
        if crisis and isinstance(m, dict) and m.get("emergency_911_first"):
            card = Card.BYSTANDER if category.startswith("other") else Card.SELF_EMERGENCY
        label = "crisis" if crisis else "sensitive"  # every calm message there is a hard negative
        out.append(Example(str(text), label, category, lang, name, card))
    return out


def graded_by(net: SafetyNet, examples: Sequence[Example]) -> list[tuple[Example, bool, str]]:
    rows = []
    for e in examples:
        grade = net.assess(e.text)
        rows.append((e, grade.level == Safety.CRISIS, str(grade.card)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--unseen",
        nargs="?",
        const=UNSEEN,
        type=Path,
        help="also grade an unseen set (default: the newest, reserved/unseen6.yml)",
    )
    parser.add_argument("--calibrate", action="store_true", help="write calibration.json")
    parser.add_argument("--show", action="store_true", help="list misses and takeovers")
    args = parser.parse_args(argv)

    corpus = Corpus.load()
    print(f"Safety corpus: {len(corpus.examples)} messages by {len(corpus.writers)} writers")
    graded = cross_validate(corpus)
    if args.calibrate:
        thresholds, recall, first_911 = calibrate(calibration_rows(graded))
        CALIBRATION.write_text(
            json.dumps(
                {
                    **asdict(thresholds),
                    "writer_split_recall": round(recall, 4),
                    "writer_split_911_first": round(first_911, 4),
                    "max_self_911": MAX_SELF_911,
                    "max_hard_takeovers": MAX_HARD,
                    "max_ordinary_takeovers": MAX_ORDINARY,
                    "corpus": corpus.digest(VERSION, HIDDEN, EPOCHS),
                },
                indent=2,
            )
            + "\n"
        )
        print(f"Calibrated: {thresholds} (writer-split recall {recall:.3f})")
    thresholds = Thresholds.read()
    title = f"Writer split (each writer graded by a model that never saw them), {thresholds}"
    rows = ((g.example, g.crisis(thresholds), str(g.card(thresholds))) for g in graded)
    split = table(rows, title)
    per_writer = collections.defaultdict(list)
    for g in graded:
        per_writer[g.example.writer].append(g)
    print("\n| held-out writer | recall | hard takeovers | ordinary takeovers |\n|---|---|---|---|")
    for writer, gs in sorted(per_writer.items()):
        kinds = collections.defaultdict(list)
        for g in gs:
            kinds[g.example.kind].append(g.crisis(thresholds))
        print(
            f"| {writer} | {np.mean(kinds['crisis']):.3f} | {np.mean(kinds['hard']):.3f} | "
            f"{np.mean(kinds['ordinary']):.3f} |"
        )

    from bot.safety.model import open_model

    net = SafetyNet(open_model(PROJECT_ROOT / "var" / "safety", corpus), thresholds)
    old = [e for n in OLD_CRISIS for e in old_set(n, True)]
    old += [e for n in OLD_CALM for e in old_set(n, False)]
    old_rows = graded_by(net, old)
    table(old_rows, "Older sets of tests/safety (never trained on)")
    results = {"writer_split": split}
    if args.unseen:
        unseen_rows = graded_by(net, read(args.unseen))
        results["unseen"] = table(unseen_rows, f"Unseen set ({args.unseen.name})")
        old_rows += unseen_rows
    if args.show:
        print("\n### Misses and takeovers\n")
        for e, crisis, _card in old_rows:
            if crisis != e.crisis:
                print(
                    f"- [{e.writer}/{e.category}] {'missed' if e.crisis else 'taken over'}: "
                    f"{e.text[:200]!r}"
                )
    print("\n" + json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
