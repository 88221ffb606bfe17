"""Does knowledge/ cover the seed texts? `make coverage` (python -m tests.eval.coverage).

Units. Every paragraph of every seed text in ../shared/seeds/ is a unit, and
so is every item of a list (numbered or bulleted lines, read with the sentence
that introduces the list) and every action recommendation of the 2024 Action
Agenda. Its four-column tables (peer specialists, supervisors, employers,
policy makers) lost their bullets in the text export, so each cell is split
where the next imperative starts ("... for change Build emotional strength"),
and each recommendation is read with its group ("Supervisors: ..."). Ids are
stable while the seed is: `003:p42` is the 42nd blank-line paragraph of seed
003, `003:p15.4` the 4th item of a list paragraph, `003:p70b` the second half
of a paragraph too long for the model, `003:rec-5.3` the 3rd recommendation of
Priority 5 (counted across the four columns in reading order).

Furniture is skipped by fixed rules and counted by reason: the title and
subtitle, headings (the search library's own `looks_like_heading`), bylines,
date lines, page numbers, running headers, reference lists, table headers,
repeated paragraphs, and paragraphs under six words. Paragraphs a page break
cut in two are joined first, and a timeline's year line is read with its entry.

Score. Each unit is embedded with the index's own model and scored against
every passage with the index's own fusion: 0.7 x cosine with the passage's
unit vector (`KnowledgeIndex.vectors`) + 0.3 x its BM25 relative to the unit's
best keyword match, floored at 6. The best passage is the one with the highest
fused score; the table shows its cosine too. Blended, because on 247 units
judged by hand before any writing the fused score told covered from missing
better than the cosine alone (AUC 0.71 against 0.61): a recommendation's key
words ("YMCA", "CEUs", "pronouns") find the one list that holds them. The
floor keeps a short unit sharing only common words from looking matched. A
unit is **covered** when the score reaches THRESHOLD and every figure in it
(two or more digits, outside citations) appears somewhere in knowledge/: the
embedding can't tell "$16.42" from "$15.42". A unit listed in
knowledge/coverage-omissions.yml (unit id and reason) is **omitted**, for text
with no fact worth knowing.

THRESHOLD = 0.58, read off the judged pairs (`--near 0.05` prints pairs with
their passages). Below 0.58, 21 of 30 judged units were missing from
knowledge/ or were page chrome; from 0.58 to 0.64 it was a coin toss (16
covered, 13 missing); from 0.64 to 0.72 two in three were covered; above 0.72
four in five. After writing, the lowest-scoring unit that knowledge/ states is
a six-word checklist question (004:p18, "How will the positions be funded?",
0.58): short units top out near there however plainly a section says them.
The score cannot certify one recommendation inside a listing section: real
gaps scored up to 0.80 before writing (003:rec-1.13, 0.80), so the report is a
screen and each recommendation was also read against knowledge/ by hand.

Exit code 1 when a unit is UNCOVERED and not omitted, else 0 (also when the
seed folder is missing: there is nothing to check).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from peerpath.search.chunking import MAX_WORDS, SENTENCE_END
from peerpath.search.documents import clean, looks_like_heading
from peerpath.search.index import KnowledgeIndex
from peerpath.search.service import open_index
from peerpath.settings import PROJECT_ROOT, SearchSettings

SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"
OMISSIONS_FILE = PROJECT_ROOT / "knowledge" / "coverage-omissions.yml"
THRESHOLD = 0.58
MIN_WORDS = 6

GROUPS = ("peer specialists", "supervisors", "employers", "policy makers")
TABLE_HEADER = "\t".join(g.upper() for g in GROUPS)
# The first words of the Action Agenda's recommendations, all imperatives.
# A capitalised word from this list starts a new recommendation, except
# "Change" before another capitalised word ("Change Agent Series").
STARTS = frozenset(
    """Acknowledge Add Address Advocate Allow Ask Assign Assist Assure Base Be Believe Bring
    Build Change Choose Coach Commit Compare Compensate Consider Consult Continue Contract
    Create Demonstrate Determine Develop Discuss Don't Draw Educate Empowerworking Encourage
    Ensure Establish Evaluate Examine Exchange Explain Fund Gather Give Help Identify Include
    Instruct Invest Invite Investigate Learn Make Market Meet Negotiate Offer Pay Promote
    Prompt Provide Purchase Rate Read Realize Recognize Recruit Reduce Reevaluate Reframe
    Remember Remind Request Require Research Review Revise Seek Separate Simplify Sponsor Stay
    Step Subsidize Support Take Talk Teach Tell Train Use When Work""".split()
)
LIST_LINE = re.compile(r"^\s*(?:\d{1,2}[.)\t]|[-•*\uf0b7])\s*")
CITATION = re.compile(r"\((?:\d{4}|n\.d\.)|https?://|www\.|doi")
CREDENTIAL = re.compile(r"\b(?:PhD|LCSW|NYCPS|ALWF|MS|MSW|MA|MD)\b")
DATE_LINE = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)(?: \d{1,2},)? \d{4}$"
)
RUNNING_HEADER = re.compile(r"^Priority \d+ \(Cont'd\)$")
RECS_HEADING = re.compile(r"^Priority (\d+) Action Recommendations$")
YEARS = re.compile(r"^\d{4}(?: - \d{4})?$")
FIGURE = re.compile(r"(?<![\w-])\d[\d,]*(?:\.\d+)?")  # not the 19 of "COVID-19"
# A citation in parentheses, whose year is not a fact to check: "(2016)",
# "(Pronk 2014)", "(Manning, 2022)", "(Mead et al., 2001; Blanch, Filson & Penney, 2012)".
YEAR = r"(?:19|20)\d{2}[a-z]?"
CITATION_PARENS = re.compile(
    rf"\((?:(?:[A-Z][^()]*\s)?{YEAR}|(?=[^()]*\b{YEAR}\b)[^()]*(?:[,;&]|et al)[^()]*)\)"
)


@dataclass(frozen=True)
class Unit:
    """One piece of a seed that should be answerable from knowledge/."""

    unit_id: str
    seed: str
    text: str
    context: str = ""  # read with the text, not shown: a list's lead-in ("... include:")
    group: str = ""  # whom an Action Agenda recommendation is for

    @property
    def embedding_text(self) -> str:
        return f"{self.context} {self.text}".strip()


@dataclass(frozen=True)
class Skip:
    """A piece of a seed left out by a furniture rule, and why."""

    unit_id: str
    seed: str
    reason: str


@dataclass(frozen=True)
class Result:
    unit: Unit
    chunk_id: str
    score: float  # fused: alpha * cosine + (1 - alpha) * relative BM25
    cosine: float
    missing: tuple[str, ...]
    status: str


# --- reading a seed into units (pure) --------------------------------------------


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Blank-line paragraphs, numbered from 1 in file order (empty ones keep a number)."""
    parts = re.split(r"\n[ \t\u00a0]*\n", text.replace("\r\n", "\n"))
    return [(n, part.strip("\n")) for n, part in enumerate(parts, start=1) if part.strip()]


def join_broken(
    blocks: list[tuple[int, str]], skips: list[Skip], seed: str
) -> list[tuple[int, str]]:
    """Join paragraphs a page break cut in two; drop running headers between them."""
    joined: list[tuple[int, str]] = []
    for number, block in blocks:
        text = block.strip()
        if RUNNING_HEADER.match(text):
            skips.append(Skip(f"{seed}:p{number}", seed, "running header"))
            continue
        if joined and not joined[-1][1].startswith(TABLE_HEADER):
            prev_number, prev = joined[-1]
            if re.search(r"[A-Za-z]-$", prev) and text[:1].islower():
                joined[-1] = (prev_number, prev[:-1] + text)
                continue
            if text[:1].islower() or (prev.endswith(",") and text[:1].isdigit()):
                joined[-1] = (prev_number, prev + " " + text)
                continue
            if YEARS.match(prev):
                joined[-1] = (prev_number, f"{prev}: {text}")
                continue
        joined.append((number, text))
    return joined


def list_items(block: str) -> list[str] | None:
    """The items of a numbered or bulleted list paragraph, or None if it isn't one."""
    lines = [line for line in block.splitlines() if line.strip()]
    if len(lines) < 2 or not all(LIST_LINE.match(line) for line in lines):
        return None
    return [LIST_LINE.sub("", line, count=1).strip() for line in lines]


def split_recommendations(cell: str) -> list[str]:
    """One table cell of run-together recommendations, split at each imperative."""
    tokens = cell.split()
    items: list[list[str]] = []
    for i, token in enumerate(tokens):
        word = token.rstrip(",.;:")
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        starts = (word in STARTS and not (word == "Change" and following[:1].isupper())) or (
            word == "In" and following == "addition"
        )
        if not items or (starts and items[-1]):
            items.append([])
        items[-1].append(token)
    return [" ".join(item) for item in items if item]


def recommendations(block: str) -> tuple[list[tuple[str, str]], int]:
    """(group, recommendation) pairs of a table paragraph, and its garbled lines."""
    lines = block.splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip() == TABLE_HEADER)
    pairs = []
    for row in lines[header + 1 :]:
        for group, cell in zip(GROUPS, row.split("\t"), strict=False):
            pairs.extend((group, item) for item in split_recommendations(cell))
    return pairs, header


def is_reference_list(lines: Sequence[str]) -> bool:
    """Mostly "- " lines, mostly with a year in parentheses, a URL or a DOI."""
    cited = sum(bool(CITATION.search(line)) for line in lines)
    dashed = sum(line.startswith("- ") for line in lines)
    return bool(lines) and cited * 2 >= len(lines) and dashed * 2 >= len(lines)


def furniture(block: str, number: int, following: str) -> str | None:
    """Why a paragraph is page furniture rather than content, or None."""
    text = clean(block.lstrip("> "))
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    if re.fullmatch(r"\d{1,3}", text):
        return "page number"
    if number == 1:
        return "title"
    if number == 2 and len(lines) == 1 and len(text.split()) < 10 and text[-1] not in ".!?":
        return "title"  # a subtitle
    if DATE_LINE.match(text):
        return "date line"
    if is_reference_list(lines):
        return "reference list"
    if len(lines) == 1 and len(CREDENTIAL.findall(text)) >= 2 and not text.endswith("."):
        return "byline"
    if len(lines) == 1 and looks_like_heading(text.rstrip("?"), following):
        return "heading"
    if len(text.split()) < MIN_WORDS:
        return "too short"
    return None


def halves(text: str, limit: int = MAX_WORDS) -> list[str]:
    """A paragraph too long for the model, cut at sentence ends into near-equal parts."""
    sentences = SENTENCE_END.split(text)
    total = len(text.split())
    target = total / -(-total // limit)  # total / number of parts
    parts: list[list[str]] = [[]]
    for sentence in sentences:
        if parts[-1] and len(" ".join(parts[-1]).split()) >= target:
            parts.append([])
        parts[-1].append(sentence)
    return [" ".join(part) for part in parts]


def seed_units(seed: str, text: str) -> tuple[list[Unit], list[Skip]]:
    """Every unit of one seed text, and every piece skipped as furniture."""
    units: list[Unit] = []
    skips: list[Skip] = []
    seen: dict[str, str] = {}
    blocks = join_broken(paragraphs(text), skips, seed)
    priority = 0
    lead = ""  # the sentence introducing the list being read, if any

    def add(unit_id: str, body: str, context: str = "", group: str = "") -> None:
        body = clean(body)
        key = body.lower()
        if key in seen:
            skips.append(Skip(unit_id, seed, f"repeats {seen[key]}"))
        elif not group and len(f"{context} {body}".split()) < MIN_WORDS:
            skips.append(Skip(unit_id, seed, "too short"))
        else:
            seen[key] = unit_id
            units.append(Unit(unit_id, seed, body, clean(context), group))

    for index, (number, block) in enumerate(blocks):
        following = blocks[index + 1][1] if index + 1 < len(blocks) else ""
        heading = RECS_HEADING.match(block.strip())
        if heading:
            priority = int(heading.group(1))
        if TABLE_HEADER in block:
            pairs, garbled = recommendations(block)
            skips.append(Skip(f"{seed}:p{number}", seed, "table header"))
            skips.extend(Skip(f"{seed}:p{number}", seed, "garbled line") for _ in range(garbled))
            for n, (group, item) in enumerate(pairs, start=1):
                add(
                    f"{seed}:rec-{priority}.{n}",
                    item,
                    context=f"{group.capitalize()}:",
                    group=group,
                )
            continue
        if is_reference_list([line.strip() for line in block.splitlines() if line.strip()]):
            skips.append(Skip(f"{seed}:p{number}", seed, "reference list"))
            continue
        items = list_items(block)
        bullet = not items and bool(LIST_LINE.match(block)) and "\n" not in block.strip()
        if items or bullet:
            for n, item in enumerate(items or [LIST_LINE.sub("", block, count=1)], start=1):
                add(f"{seed}:p{number}" + (f".{n}" if items else ""), item, context=lead)
            continue
        lead = ""
        if block.rstrip().endswith(":"):
            # A list is read with the sentence that introduces it.
            lead = SENTENCE_END.split(clean(block))[-1]
            if lead == clean(block) and list_items(following):
                skips.append(Skip(f"{seed}:p{number}", seed, "list lead-in (read with its items)"))
                continue
        reason = furniture(block, number, following)
        if reason:
            skips.append(Skip(f"{seed}:p{number}", seed, reason))
            continue
        body = clean(LIST_LINE.sub("", block.lstrip("> "), count=1))
        parts = halves(body) if len(body.split()) > MAX_WORDS else [body]
        for n, part in enumerate(parts):
            add(f"{seed}:p{number}{'' if n == 0 else chr(ord('a') + n)}", part)
    return units, skips


def read_seeds(folder: Path) -> tuple[list[Unit], list[Skip], list[str]]:
    """Units and skips of every .txt seed in `folder`, with each seed's file name."""
    units: list[Unit] = []
    skips: list[Skip] = []
    files = sorted(folder.glob("*.txt"))
    for path in files:
        seed = path.stem.split("_")[0]
        got, skipped = seed_units(seed, path.read_text(encoding="utf-8", errors="replace"))
        units += got
        skips += skipped
    return units, skips, [p.name for p in files]


# --- judging (pure) ---------------------------------------------------------------


def figures(text: str) -> set[str]:
    """Figures worth checking, as written ("82,286", "15.42"): two or more digits,
    outside citations."""
    found = set()
    for match in FIGURE.finditer(CITATION_PARENS.sub(" ", text.replace("\\", ""))):
        value = match.group().rstrip(".,")
        if sum(c.isdigit() for c in value) >= 2:
            found.add(value)
    return found


def missing_figures(text: str, known: set[str]) -> tuple[str, ...]:
    """Figures of `text` that the knowledge passages nowhere state."""
    return tuple(sorted(figures(text) - known))


def load_omissions(path: Path) -> dict[str, str]:
    """unit id -> reason, from the omissions file (missing file: no omissions)."""
    if not path.is_file():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    omissions = {}
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("unit") or not entry.get("reason"):
            raise ValueError(f"{path.name}: every entry needs a unit and a reason: {entry!r}")
        omissions[str(entry["unit"])] = str(entry["reason"])
    return omissions


def status(score: float, missing: Sequence[str], omitted: str | None, threshold: float) -> str:
    if omitted:
        return f"omitted ({omitted})"
    if missing:
        return f"UNCOVERED (figures: {', '.join(missing)})"
    return "covered" if score >= threshold else "UNCOVERED"


# --- running it ---------------------------------------------------------------------


def judge(
    units: Sequence[Unit], index: KnowledgeIndex, omissions: dict[str, str], threshold: float
) -> list[Result]:
    """Each unit's best passage, fused score, cosine, missing figures and status."""
    known = set().union(*(figures(p.embedding_text()) for p in index.passages))
    vectors = index.embedder.encode([u.embedding_text for u in units])
    results = []
    for unit, vector in zip(units, vectors, strict=True):
        # The index's own fusion, over every passage (a query only gets 50
        # candidates) and the whole unit (a query is cut at 500 characters).
        dense = index.vectors @ vector
        lexical = index.lexical.scores(unit.embedding_text)
        fused = index._fuse(dense, lexical, lexical, "fused")
        best = int(fused.argmax())
        score = float(fused[best])
        missing = missing_figures(unit.text, known)
        verdict = status(score, missing, omissions.get(unit.unit_id), threshold)
        chunk_id = index.passages[best].chunk_id
        results.append(Result(unit, chunk_id, score, float(dense[best]), missing, verdict))
    return results


def print_table(results: Iterable[Result], seed_files: dict[str, str]) -> None:
    print("| seed | unit | text | best passage | score | cosine | status |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        text = r.unit.text[:60].replace("|", "/")
        print(
            f"| {seed_files[r.unit.seed]} | {r.unit.unit_id} | {text} | {r.chunk_id} "
            f"| {r.score:.3f} | {r.cosine:.3f} | {r.status} |"
        )


def print_near(
    results: Sequence[Result], index: KnowledgeIndex, threshold: float, width: float
) -> None:
    """The pairs to judge by eye: each unit near the threshold and its best passage."""
    near = sorted((r for r in results if abs(r.score - threshold) <= width), key=lambda r: r.score)
    print(f"Pairs within {width} of the threshold {threshold}:")
    for r in near:
        who = f" [{r.unit.group}]" if r.unit.group else ""
        passage = index.passage(r.chunk_id)
        print(f"\n[{r.score:.3f}] {r.unit.unit_id}{who}: {r.unit.text}\n  -> {r.chunk_id}")
        print(f"     {passage.text[:400] if passage else ''}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR)
    parser.add_argument("--knowledge", type=Path, action="append", help="default: knowledge/")
    parser.add_argument("--omissions", type=Path, default=OMISSIONS_FILE)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--near", type=float, default=0.0, help="print the pairs this close")
    parser.add_argument("--uncovered", action="store_true", help="list only uncovered units")
    args = parser.parse_args(argv)

    if not args.seeds.is_dir():
        print(f"No seed texts at {args.seeds}: nothing to check.")
        return 0
    units, skips, names = read_seeds(args.seeds)
    seed_files = {name.split("_")[0]: name for name in names}
    omissions = load_omissions(args.omissions)
    folders = tuple(args.knowledge or SearchSettings().knowledge_dirs)
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(SearchSettings(knowledge_dirs=folders, index_dir=Path(tmp) / "kb"))
        results = judge(units, index, omissions, args.threshold)
        if args.near:
            print_near(results, index, args.threshold, args.near)
    shown = [r for r in results if r.status.startswith("UNCOVERED")] if args.uncovered else results
    print_table(shown, seed_files)

    counts = Counter(r.status.split(" ")[0] for r in results)
    print(
        f"\n{len(results)} units from {len(names)} seeds (threshold {args.threshold}): "
        f"{counts['covered']} covered, {counts['UNCOVERED']} UNCOVERED, "
        f"{counts['omitted']} omitted"
    )
    reasons = Counter("repeated" if s.reason.startswith("repeats") else s.reason for s in skips)
    print(
        f"{len(skips)} pieces skipped: " + ", ".join(f"{n} {r}" for r, n in reasons.most_common())
    )
    stale = sorted(set(omissions) - {u.unit_id for u in units})
    if stale:
        print(f"Omissions naming no unit (stale): {', '.join(stale)}")
    above = sorted(
        r.unit.unit_id for r in results if r.unit.unit_id in omissions and r.score >= args.threshold
    )
    if above:
        print(f"Omitted, though scoring above the threshold (a topical match): {', '.join(above)}")
    return 1 if counts["UNCOVERED"] else 0


if __name__ == "__main__":
    sys.exit(main())
