"""Do our articles paste sentences from the sources? `python -m eval.copycheck [FILE ...]`.

knowledge/ is written in PeerPath's own words, with the facts and figures of
the sources. This finds every run of RUN or more consecutive words an
article shares with a source text (../shared/seeds/), ignoring case and
punctuation: names, titles and short phrases pass; a pasted sentence does
not. The front matter (titles of the works cited) is not checked; a quoted
title in the text may still need a long run: look at each finding.

Exit code 1 when any run is found.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from peerpath.search.documents import split_front_matter
from peerpath.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
RUN = 10
_WORD = re.compile(r"[a-z0-9$%.,']+")


def words(text: str) -> list[str]:
    return [w.strip(".,'") for w in _WORD.findall(text.lower()) if w.strip(".,'")]


def shared_runs(article: str, sources: list[list[str]], run: int = RUN) -> list[str]:
    """The longest runs of at least `run` words `article` shares with any source."""
    grams = {tuple(src[i : i + run]) for src in sources for i in range(len(src) - run + 1)}
    mine = words(article)
    found, i = [], 0
    while i <= len(mine) - run:
        if tuple(mine[i : i + run]) in grams:
            j = i + run
            while j < len(mine) and tuple(mine[j - run + 1 : j + 1]) in grams:
                j += 1
            found.append(" ".join(mine[i:j]))
            i = j
        else:
            i += 1
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    files = args.files or sorted((PROJECT_ROOT / "knowledge").glob("*.md"))
    sources = [words(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    if not sources:
        print(f"No sources in {SEEDS}: nothing to check.")
        return 0
    total = 0
    for path in files:
        _, body = split_front_matter(path.read_text(encoding="utf-8"))  # titles of works pass
        for piece in shared_runs(body, sources):
            total += 1
            print(f"{path.name}: {piece}")
    print(f"{total} run(s) of {RUN}+ words shared with the sources.")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
