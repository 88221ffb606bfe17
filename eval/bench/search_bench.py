"""Search latency and index build throughput: `make bench`.

Measures, in one run on this machine:
- search latency p50/p95 (single query, warm) over knowledge/, for dense-only,
  BM25-only and fused search;
- index build throughput (passages per second: embedding, faiss and BM25)
  on a generated corpus of --build passages embedded for real;
- search latency over a generated corpus of --large (100,000) passages, built
  from the knowledge base's own sentences, shuffled, so words and lengths are
  real. Their vectors are random convex mixtures of the --build real
  embeddings (normalised): embedding 100,000 passages on 2 CPU cores takes
  about an hour, and search latency depends on the index's size and shape,
  not on where each vector came from;
- peak memory of the process.
Targets (docs/performance.md, "Search speed"): fused p95 <= 25 ms over
knowledge/, <= 40 ms at 100k, and fused no slower than 1.5x dense-only in the
same run.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from peerpath.search.chunking import Passage, chunk
from peerpath.search.documents import read_folders
from peerpath.search.embedder import Embedder
from peerpath.search.index import KnowledgeIndex, Mode
from peerpath.search.service import open_index
from peerpath.settings import PROJECT_ROOT, SearchSettings

QUERIES = PROJECT_ROOT / "tests" / "eval" / "dev_questions.yml"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def latencies(index: KnowledgeIndex, queries: list[str], mode: Mode, rounds: int) -> list[float]:
    for query in queries[:10]:
        index.search(query, 5, mode=mode)  # warm up
    times = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            index.search(query, 5, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, index: KnowledgeIndex, queries: list[str], rounds: int) -> dict[str, float]:
    print(f"\n{name}: {len(index.passages):,} passages, {index.manifest.index_type}")
    print("| search | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|")
    p95 = {}
    for mode in ("dense", "lexical", "fused"):
        times = latencies(index, queries, mode, rounds)  # type: ignore[arg-type]
        p95[mode] = percentile(times, 95)
        print(f"| {mode} | {statistics.median(times):.1f} | {p95[mode]:.1f} | {len(times)} |")
    print(f"fused / dense p95: {p95['fused'] / p95['dense']:.2f}x")
    return p95


def synthetic_passages(base: list[Passage], count: int, seed: int = 7) -> list[Passage]:
    """`count` passages made by shuffling the knowledge base's real sentences."""
    rng = random.Random(seed)
    sentences = [s.strip() + "." for p in base for s in p.text.split(".") if len(s.split()) > 4]
    out = []
    for i in range(count):
        picked = rng.sample(sentences, rng.randint(3, 7))
        source = base[i % len(base)]
        out.append(
            Passage(
                chunk_id=f"synthetic-{i // 8}#part-{i % 8}",
                doc_id=f"synthetic-{i // 8}",
                title=f"{source.title} ({i // 8})",
                headings=source.headings,
                text=" ".join(picked),
                topics=source.topics,
                audience=source.audience,
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=int, default=100_000, help="size of the generated corpus")
    parser.add_argument("--build", type=int, default=2_000, help="passages embedded for real")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    queries = [item["q"] for item in yaml.safe_load(QUERIES.read_text())]
    embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        index = open_index(SearchSettings(index_dir=Path(tmp) / "kb"), embedder)
        small_build = time.perf_counter() - started
        print(f"knowledge/ index built in {small_build:.1f} s ({len(index.passages)} passages)")
        report("knowledge/", index, queries, args.rounds)

        base = [p for d in read_folders(SearchSettings().knowledge_dirs) for p in chunk(d)]
        real = synthetic_passages(base, args.build)
        started = time.perf_counter()
        built = KnowledgeIndex.build([], embedder, passages=real, digest="bench")
        seconds = time.perf_counter() - started
        print(f"\nBuild throughput: {len(real):,} passages in {seconds:.0f} s = "
              f"{len(real) / seconds:,.1f} passages/s (embedding + faiss + BM25)")  # fmt: skip

        rng = np.random.default_rng(11)
        passages = synthetic_passages(base, args.large, seed=3)
        picks = rng.integers(0, len(real), size=(len(passages), 3))
        weights = rng.dirichlet(np.ones(3), size=len(passages)).astype(np.float32)
        vectors = np.einsum("nk,nkd->nd", weights, built.vectors[picks])
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        started = time.perf_counter()
        large = KnowledgeIndex.build(
            [], embedder, passages=passages, digest="bench", vectors=vectors.astype(np.float32)
        )
        print(f"Indexed {len(passages):,} passages (faiss HNSW + BM25, vectors given) in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        report("generated corpus", large, queries, args.rounds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak memory (RSS) of this process: {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
