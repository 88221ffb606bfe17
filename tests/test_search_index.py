"""The index: build -> save -> load -> search, staleness, corruption, filters."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peerpath.errors import IndexMismatch, SearchError
from peerpath.search.documents import find_files, read_folders
from peerpath.search.index import KnowledgeIndex, content_hash
from peerpath.search.service import open_index
from peerpath.settings import SearchSettings

THRESHOLD = SearchSettings().min_score


def settings_for(kb: Path, index_dir: Path) -> SearchSettings:
    return SearchSettings(knowledge_dirs=(kb,), index_dir=index_dir)


def test_round_trip_gives_the_same_results(fixture_kb: Path, embedder, tmp_path: Path) -> None:
    documents = read_folders([fixture_kb])
    built = KnowledgeIndex.build(documents, embedder)
    built.save(tmp_path / "index")
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["model"] == embedder.name
    assert manifest["dimension"] == 384
    assert manifest["count"] == len(built.passages)
    assert manifest["content_hash"] == content_hash(find_files([fixture_kb]))
    loaded = KnowledgeIndex.load(tmp_path / "index", embedder, manifest["content_hash"])
    query = "how much money do peer specialists make"
    assert [h.passage.chunk_id for h in built.search(query, 3)] == [
        h.passage.chunk_id for h in loaded.search(query, 3)
    ]
    assert (
        loaded.search(query, 1)[0].passage.chunk_id == "peer-jobs#how-much-do-peer-specialists-earn"
    )


@pytest.mark.parametrize(
    ("query", "chunk_id"),
    [
        ("what equipment do peer staff need for telehealth", "telehealth-handbook#page-1"),
        ("where is there drop-in peer support", "coalition#member-groups"),
        ("wellness planning workshop", "trainings#wrap-workshops"),
        ("can i keep my disability check if i get a job",
         "benefits-basics#can-i-work-while-on-disability-benefits"),
    ],
)  # fmt: skip
def test_each_file_type_is_searchable(small_index, query: str, chunk_id: str) -> None:
    top = small_index.search(query, 3)[0]
    assert top.passage.chunk_id == chunk_id
    assert top.score >= THRESHOLD


def test_results_are_best_first_and_k_is_capped(small_index) -> None:
    hits = small_index.search("peer specialist", 100)
    assert len(hits) <= len(small_index.passages)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_off_topic_questions_fall_below_the_threshold(small_index) -> None:
    for query in ("what is the capital of france", "give me a lasagna recipe", "🙂🙂🙂"):
        assert small_index.search(query, 1)[0].score < THRESHOLD, query


def test_any_language_emoji_and_long_queries_work(small_index) -> None:
    for query in ("¿Cuánto gana un especialista de pares?", "同伴支持", "💼 jobs?", "x" * 10000):
        small_index.search(query, 3)  # no error
    with pytest.raises(SearchError):
        small_index.search("   ", 3)


def test_topic_and_audience_restrict(small_index) -> None:
    hits = small_index.search("peer specialist", 10, topics=["benefits"])
    assert hits and all("benefits" in h.passage.topics for h in hits)
    hits = small_index.search("work", 10, audiences=["counselor"])
    assert hits and all("counselor" in h.passage.audience for h in hits)
    assert small_index.search("work", 5, topics=["no-such-topic"]) == []


def test_boost_favours_a_topic_without_restricting(small_index) -> None:
    query = "counselor"
    plain = small_index.search(query, 10)
    boosted = small_index.search(query, 10, boost_topics=["wages"])
    assert {h.passage.chunk_id for h in plain} == {h.passage.chunk_id for h in boosted}
    wages = next(h for h in boosted if "wages" in h.passage.topics)
    before = next(h for h in plain if h.passage.chunk_id == wages.passage.chunk_id)
    assert wages.score == pytest.approx(before.score + 0.05, abs=1e-5)


def test_lexical_and_dense_modes_alone(small_index) -> None:
    assert small_index.search("seventeen dollars", 1, mode="lexical")[0].passage.chunk_id == (
        "peer-jobs#how-much-do-peer-specialists-earn"
    )
    assert small_index.search("what do peers get paid", 1, mode="dense")[0].score > 0.4


def test_hnsw_index_above_the_threshold(fixture_kb: Path, embedder) -> None:
    index = KnowledgeIndex.build(read_folders([fixture_kb]), embedder, hnsw_threshold=2)
    assert index.manifest.index_type == "IndexHNSWFlat"
    hits = index.search("where is there drop-in peer support", 50, topics=["wages"])
    assert hits and all(h.passage.chunk_id.startswith("peer-jobs") for h in hits)


def test_stale_index_is_rebuilt_when_a_document_changes(
    fixture_kb: Path, embedder, tmp_path: Path, caplog
) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(fixture_kb, kb)
    settings = settings_for(kb, tmp_path / "index")
    first = open_index(settings, embedder)
    built_at = first.manifest.built_at
    again = open_index(settings, embedder)
    assert again.manifest.built_at == built_at, "unchanged documents: loaded, not rebuilt"
    (kb / "new.md").write_text(
        "## Bus passes\n\nSome peer centers hand out bus passes to visitors."
    )
    caplog.set_level(logging.WARNING)
    fresh = open_index(settings, embedder)
    assert "documents changed" in caplog.text
    assert fresh.manifest.count == first.manifest.count + 1
    assert fresh.search("bus pass", 1)[0].passage.doc_id == "new"


@pytest.mark.parametrize("damage", ["manifest", "vectors", "count", "model", "sentences"])
def test_corrupt_or_mismatched_index_fails_clearly_then_rebuilds(
    fixture_kb: Path, embedder, tmp_path: Path, caplog, damage: str
) -> None:
    settings = settings_for(fixture_kb, tmp_path / "index")
    good = open_index(settings, embedder)
    folder = settings.index_dir
    manifest = json.loads((folder / "manifest.json").read_text())
    if damage == "manifest":
        (folder / "manifest.json").write_text("{not json")
    elif damage == "vectors":
        (folder / "vectors.npy").write_bytes(b"garbage")
    elif damage == "count":
        np.save(folder / "vectors.npy", np.zeros((1, 384), dtype=np.float32))
    elif damage == "sentences":  # the same total, cut differently: as after a splitting change
        starts = np.load(folder / "sentence_starts.npy")
        moved = next(i for i in range(1, len(starts) - 1) if starts[i - 1] < starts[i])
        starts[moved] -= 1
        np.save(folder / "sentence_starts.npy", starts)
    else:
        (folder / "manifest.json").write_text(json.dumps({**manifest, "model": "other/model"}))
    with pytest.raises(IndexMismatch):
        KnowledgeIndex.load(folder, embedder, manifest["content_hash"])
    caplog.set_level(logging.WARNING)
    rebuilt = open_index(settings, embedder)
    assert "search.index_rebuild" in caplog.text
    assert rebuilt.manifest.count == good.manifest.count
    KnowledgeIndex.load(folder, embedder, manifest["content_hash"])  # healthy again


def test_empty_knowledge_folder_is_a_clear_error(embedder, tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    with pytest.raises(SearchError, match="no passages"):
        open_index(settings_for(tmp_path / "kb", tmp_path / "index"), embedder)


def test_neighbours_stay_in_the_document(small_index) -> None:
    before, after = small_index.neighbours("peer-jobs#what-does-a-peer-specialist-do")
    assert before is None or before.doc_id == "peer-jobs"
    assert after is not None and after.chunk_id == "peer-jobs#how-much-do-peer-specialists-earn"
    assert small_index.neighbours("nope#nope") == (None, None)


def test_a_misspelt_question_finds_what_the_spelt_one_finds(small_index) -> None:
    spelt = small_index.search("how much money do peer specialists make", 1)[0]
    misspelt = small_index.search("how much monney do peer specalists make", 1)[0]
    assert misspelt.passage.chunk_id == spelt.passage.chunk_id
    assert misspelt.score == pytest.approx(spelt.score, abs=1e-5)


def scores_with(index, query: str, fusion) -> dict[str, tuple[float, str]]:
    """{chunk id: (score, heading)} of the top ten for `query` under `fusion`."""
    saved, index.fusion = index.fusion, fusion
    try:
        return {h.passage.chunk_id: (h.score, h.passage.heading) for h in index.search(query, 10)}
    finally:
        index.fusion = saved


def test_a_heading_asking_the_same_kind_of_question_gains_the_kind_bonus(small_index) -> None:
    fusion = small_index.fusion
    assert fusion.kind_bonus > 0
    plain = replace(fusion, kind_bonus=0.0)
    query = "what is a career ladder for peers"
    before, after = scores_with(small_index, query, plain), scores_with(small_index, query, fusion)
    gain = {c: after[c][0] - before[c][0] for c in after}
    asking_what = {c for c, (_, heading) in after.items() if heading.lower().startswith("what ")}
    assert asking_what
    for chunk_id, gained in gain.items():
        expected = fusion.kind_bonus if chunk_id in asking_what else 0.0
        assert gained == pytest.approx(expected, abs=1e-5)
    # a follow-up joined with the question before asks what its own words ask
    joined = {h.passage.chunk_id: h.score for h in small_index.search(query, 10, kind_of="pay?")}
    assert joined == pytest.approx({c: score for c, (score, _) in before.items()})
    # a phrase asks no kind of question: nothing changes
    assert scores_with(small_index, "career ladder", fusion) == scores_with(
        small_index, "career ladder", plain
    )
