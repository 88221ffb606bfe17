"""Measure search quality: `make eval` (python -m eval.search_eval).

Prints hit@1, hit@3 and MRR for BM25-only, dense-only and fused search,
over knowledge/ (tests/eval/dev_questions.yml, labelled by document and
section; and tests/eval/blind_questions.yml, written from the seeds by someone
who saw no code, never tuned on) and over the raw source texts in ../shared/seeds/ indexed as they
are (tests/eval/seed_questions.yml, labelled by file and a phrase the
answering passage contains). Also reports how well the abstain threshold
separates answerable questions from off-topic ones, and with --tune sweeps
the fusion weight, BM25 floor and threshold.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from peerpath.search.embedder import Embedder
from peerpath.search.index import FusionParams, Hit, KnowledgeIndex, Mode
from peerpath.search.service import open_index
from peerpath.settings import PROJECT_ROOT, SearchSettings

EVAL_DIR = PROJECT_ROOT / "tests" / "eval"  # the question sets
SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"
MODES: tuple[Mode, ...] = ("lexical", "dense", "fused")
Judge = Callable[[dict, Hit], bool]


@dataclass(frozen=True)
class Metrics:
    hit1: float
    hit3: float
    mrr: float
    n: int


def load(name: str) -> list[dict]:
    return yaml.safe_load((EVAL_DIR / name).read_text(encoding="utf-8"))


def knowledge_judge(item: dict, hit: Hit) -> bool:
    """The labelled section only."""
    return hit.passage.doc_id == item["doc"] and hit.passage.heading == item["section"]


def answers(item: dict) -> list[tuple[str, str]]:
    """(doc, section) of the labelled section and of any `also` section: one that an
    independent judge, shown the question and both sections blind, found answers it too."""
    also = [(a["doc"], a["section"]) for a in item.get("also", [])]
    return [(item["doc"], item["section"]), *also]


def answer_judge(item: dict, hit: Hit) -> bool:
    """The labelled section or a judged alternate."""
    return (hit.passage.doc_id, hit.passage.heading) in answers(item)


def seed_judge(item: dict, hit: Hit) -> bool:
    return hit.passage.doc_id == Path(item["seed"]).stem and item["contains"] in hit.passage.text


def rank_metrics(index: KnowledgeIndex, items: Sequence[dict], judge: Judge, mode: Mode) -> Metrics:
    hit1 = hit3 = rr = 0.0
    for item in items:
        hits = index.search(item["q"], 10, mode=mode)
        rank = next((i for i, hit in enumerate(hits, start=1) if judge(item, hit)), None)
        if rank:
            hit1 += rank == 1
            hit3 += rank <= 3
            rr += 1 / rank
    n = len(items)
    return Metrics(hit1 / n, hit3 / n, rr / n, n)


def abstain_report(
    index: KnowledgeIndex, answerable: Sequence[dict], offtopic: Sequence[dict], threshold: float
) -> tuple[float, float, float]:
    """(answered correctly, answerable wrongly refused, off-topic correctly refused)."""
    correct = refused = 0
    for item in answerable:
        [top] = index.search(item["q"], 1)
        if top.score < threshold:
            refused += 1
        elif knowledge_judge(item, top):
            correct += 1
    declined = sum(index.search(item["q"], 1)[0].score < threshold for item in offtopic)
    return correct / len(answerable), refused / len(answerable), declined / len(offtopic)


def best_threshold(
    index: KnowledgeIndex, answerable: Sequence[dict], offtopic: Sequence[dict]
) -> float:
    """The threshold that best separates answerable from off-topic questions.

    Maximises balanced accuracy (mean of answerable-kept and off-topic-refused);
    ties go to the lower threshold, because refusing a real question costs more.
    """
    top_on = [index.search(item["q"], 1)[0].score for item in answerable]
    top_off = [index.search(item["q"], 1)[0].score for item in offtopic]
    candidates = sorted({round(s, 3) for s in top_on + top_off})
    best, best_value = candidates[0], -1.0
    for t in candidates:
        kept = sum(s >= t for s in top_on) / len(top_on)
        refused = sum(s < t for s in top_off) / len(top_off)
        value = (kept + refused) / 2
        if value > best_value + 1e-9:
            best, best_value = t, value
    return best


def table(title: str, rows: dict[str, Metrics]) -> str:
    lines = [f"{title}", "| search | hit@1 | hit@3 | MRR | questions |", "|---|---|---|---|---|"]
    names = {"lexical": "BM25 only", "dense": "dense only", "fused": "fused"}
    for mode, m in rows.items():
        lines.append(f"| {names[mode]} | {m.hit1:.3f} | {m.hit3:.3f} | {m.mrr:.3f} | {m.n} |")
    return "\n".join(lines)


def tune(index: KnowledgeIndex, answerable: Sequence[dict]) -> None:
    print("\nFusion sweep (knowledge/, fused): alpha x bm25_floor -> MRR / hit@1")
    for floor in (0.0, 2.0, 4.0, 8.0, 12.0):
        cells = []
        for alpha in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
            index.fusion = FusionParams(alpha=alpha, bm25_floor=floor)
            m = rank_metrics(index, answerable, knowledge_judge, "fused")
            cells.append(f"a={alpha}: {m.mrr:.3f}/{m.hit1:.3f}")
        print(f"  floor={floor:>4}: " + "  ".join(cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="sweep fusion weight and floor")
    parser.add_argument("--seeds", type=Path, default=SEEDS_DIR)
    args = parser.parse_args(argv)

    embedder = Embedder()
    settings = SearchSettings()
    dev = load("dev_questions.yml")
    answerable = [item for item in dev if item.get("doc")]
    offtopic = [item for item in dev if not item.get("doc")]
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(
            SearchSettings(knowledge_dirs=settings.knowledge_dirs, index_dir=Path(tmp) / "kb"),
            embedder,
        )
        index.fusion = FusionParams(alpha=settings.alpha, bm25_floor=settings.bm25_floor)
        rows = {mode: rank_metrics(index, answerable, knowledge_judge, mode) for mode in MODES}
        print(table(f"knowledge/ ({len(index.passages)} passages), dev questions", rows))
        blind = [item for item in load("blind_questions.yml") if item.get("doc")]
        blind_rows = {mode: rank_metrics(index, blind, knowledge_judge, mode) for mode in MODES}
        print()
        print(table("knowledge/, blind questions (never tuned on)", blind_rows))
        also = [rank_metrics(index, items, answer_judge, "fused") for items in (answerable, blind)]
        print(
            f"\nFused hit@1 counting judged alternates (`also`): dev {also[0].hit1:.3f} "
            f"(labelled only {rows['fused'].hit1:.3f}), blind {also[1].hit1:.3f} "
            f"(labelled only {blind_rows['fused'].hit1:.3f})"
        )
        threshold = settings.min_score
        kept, refused, declined = abstain_report(index, answerable, offtopic, threshold)
        print(
            f"\nAbstain threshold {threshold}: answerable answered correctly {kept:.3f}, "
            f"wrongly refused {refused:.3f}; off-topic refused {declined:.3f} "
            f"({len(offtopic)} off-topic questions)"
        )
        print(f"Best threshold on this set: {best_threshold(index, answerable, offtopic)}")
        if args.tune:
            tune(index, answerable)

        if args.seeds.is_dir():
            seeds = load("seed_questions.yml")
            seed_index = open_index(
                SearchSettings(knowledge_dirs=(args.seeds,), index_dir=Path(tmp) / "seeds"),
                embedder,
            )
            seed_index.fusion = index.fusion
            rows = {mode: rank_metrics(seed_index, seeds, seed_judge, mode) for mode in MODES}
            print()
            print(table(f"raw seeds ({len(seed_index.passages)} passages)", rows))
        else:
            print(f"\n(no seed texts at {args.seeds}: skipped the raw-text evaluation)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
