"""Does knowledge/ hold every fact of the sources? `make coverage`.

The facts are data: tests/eval/facts.yml, listed by independent readers from
the five source texts alone (never from knowledge/): each number, date,
name, organization, place, recommendation and list item a person could ask
for, with one to three regular expressions that must all match one passage
(case-insensitive) for the passage to hold it. A passage is a section of an
article as search indexes it.

A fact is **held** when some passage of knowledge/ matches all its
expressions, **omitted** when knowledge/coverage-omissions.yml lists it with a
reason (page furniture, an offer nobody can take up), else **missing**. The
figure is held / all facts (an omission counts against it too); the target is
98%.
`--missing` lists the missing facts by source; `--fact ID` shows one fact's
expressions and the passages that come closest.

Exit code 1 when the figure is below the target, else 0.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from peerpath.search.chunking import Passage, chunk
from peerpath.search.documents import read_folders
from peerpath.settings import PROJECT_ROOT

FACTS = PROJECT_ROOT / "tests" / "eval" / "facts.yml"
KNOWLEDGE = PROJECT_ROOT / "knowledge"
OMISSIONS = KNOWLEDGE / "coverage-omissions.yml"
TARGET = 0.98


@dataclass(frozen=True)
class Fact:
    id: str
    source: str
    fact: str
    match: tuple[re.Pattern[str], ...]

    def held_by(self, text: str) -> bool:
        return all(p.search(text) for p in self.match)


def load_facts(path: Path = FACTS) -> list[Fact]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["facts"]
    return [
        Fact(
            str(f["id"]),
            str(f["source"]),
            str(f["fact"]),
            tuple(re.compile(p, re.IGNORECASE) for p in f["match"]),
        )
        for f in raw
    ]


def load_omissions(path: Path = OMISSIONS) -> dict[str, str]:
    """{fact id: reason} for facts left out of knowledge/ on purpose."""
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {str(e["fact"]): str(e["reason"]) for e in entries if "fact" in e}


def passages(folders: Sequence[Path] = (KNOWLEDGE,)) -> list[Passage]:
    return [p for document in read_folders(folders) for p in chunk(document)]


@dataclass(frozen=True)
class Coverage:
    held: list[Fact]
    omitted: list[Fact]
    missing: list[Fact]

    @property
    def share(self) -> float:
        counted = len(self.held) + len(self.omitted) + len(self.missing)
        return len(self.held) / counted if counted else 1.0


def coverage(facts: Sequence[Fact], texts: Sequence[str], omissions: dict[str, str]) -> Coverage:
    held, omitted, missing = [], [], []
    for fact in facts:
        if any(fact.held_by(text) for text in texts):
            held.append(fact)
        elif fact.id in omissions:
            omitted.append(fact)
        else:
            missing.append(fact)
    return Coverage(held, omitted, missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list the missing facts")
    parser.add_argument("--fact", help="show one fact and the passages closest to it")
    parser.add_argument("--knowledge", type=Path, action="append", help="folders to check")
    parser.add_argument("--ids", help="with --missing: only fact ids starting with these (a,b)")
    args = parser.parse_args(argv)
    facts = load_facts()
    found = passages(args.knowledge or [KNOWLEDGE])
    texts = [p.text for p in found]
    if args.fact:
        fact = next(f for f in facts if f.id == args.fact)
        print(f"{fact.id} ({fact.source}): {fact.fact}")
        for pattern in fact.match:
            hits = [p.chunk_id for p in found if pattern.search(p.text)]
            print(f"  /{pattern.pattern}/ matches {len(hits)}: {', '.join(hits[:8])}")
        return 0
    result = coverage(facts, texts, load_omissions())
    by_source = Counter(f.source for f in facts)
    missing = Counter(f.source for f in result.missing)
    print(f"Facts of the sources held by knowledge/ ({len(found)} passages):\n")
    print("| source | facts | held | omitted | missing |\n|---|---|---|---|---|")
    for source in sorted(by_source):
        held = sum(f.source == source for f in result.held)
        omitted = sum(f.source == source for f in result.omitted)
        print(f"| {source} | {by_source[source]} | {held} | {omitted} | {missing[source]} |")
    print(
        f"\nHeld: {len(result.held)} of {len(facts)} "
        f"= {result.share:.1%} (target {TARGET:.0%}; {len(result.omitted)} omitted on purpose)"
    )
    if args.missing:
        prefixes = tuple(args.ids.split(",")) if args.ids else ("",)
        for fact in (f for f in result.missing if f.id.startswith(prefixes)):
            print(f"- {fact.id} ({fact.source}): {fact.fact}")
    return 0 if result.share >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
