"""Reading each file type and packing it into passages."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerpath.errors import SearchError
from peerpath.search.chunking import MAX_WORDS, chunk, split_long
from peerpath.search.documents import find_files, read_document, read_folders
from peerpath.settings import PROJECT_ROOT


def test_markdown_front_matter_and_heading_paths(fixture_kb: Path) -> None:
    doc = read_document(fixture_kb / "peer-jobs.md", "peer-jobs")
    assert doc.title == "Peer jobs in brief"
    assert doc.topics == ("role", "wages")
    assert doc.audience == ("job-seeker", "peer-specialist")
    assert doc.sources[0]["url"] == "https://example.org/peer-work"
    ids = [p.chunk_id for p in chunk(doc)]
    assert ids == [
        "peer-jobs#what-does-a-peer-specialist-do",
        "peer-jobs#how-much-do-peer-specialists-earn",
        "peer-jobs#what-is-a-career-ladder",
    ]


def test_plain_text_headings_are_guessed(fixture_kb: Path) -> None:
    doc = read_document(fixture_kb / "trainings.txt", "trainings")
    assert doc.kind == "text"
    assert [p.heading for p in chunk(doc)] == ["WRAP workshops", "Supervisor training"]


def test_html_drops_scripts_navigation_and_footers(fixture_kb: Path) -> None:
    doc = read_document(fixture_kb / "coalition.html", "coalition")
    text = " ".join(b.text for b in doc.blocks)
    assert doc.title == "About the test coalition"
    assert "Riverbend Peer Center" in text
    assert "never indexed" not in text and "navigation links" not in text
    assert "Copyright" not in text
    assert ("About the test coalition", "Member groups") in {b.headings for b in doc.blocks}


def test_pdf_pages_become_sections(fixture_kb: Path) -> None:
    doc = read_document(fixture_kb / "telehealth-handbook.pdf", "telehealth-handbook")
    assert doc.kind == "pdf"
    assert doc.title == "Telehealth handbook"
    passages = chunk(doc)
    assert [p.heading for p in passages] == ["Page 1", "Page 2"]
    assert "headset" in passages[0].text


def test_broken_pdf_is_skipped_with_a_reason(tmp_path: Path, caplog) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (tmp_path / "ok.md").write_text("## A heading\n\nSome words that can be searched here.\n")
    with pytest.raises(SearchError):
        read_document(tmp_path / "broken.pdf", "broken")
    documents = read_folders([tmp_path])
    assert [d.doc_id for d in documents] == ["ok"]
    assert "broken.pdf" in caplog.text


def test_unsupported_and_hidden_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"binary")
    (tmp_path / ".draft.md").write_text("## Hidden\n\nnot ready")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.md").write_text("## Shown\n\nready to read")
    assert [doc_id for _, doc_id in find_files([tmp_path])] == ["sub/page"]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SearchError, match="knowledge folder not found"):
        find_files([tmp_path / "nope"])


def test_long_paragraphs_split_under_the_word_limit() -> None:
    sentence = "Peers share hope and practical help with people in recovery every day. "
    pieces = list(split_long(sentence * 60))
    assert len(pieces) > 1
    assert all(len(p.split()) <= MAX_WORDS for p in pieces)
    no_punctuation = " ".join(["word"] * 500)
    assert all(len(p.split()) <= MAX_WORDS for p in split_long(no_punctuation))


def test_chunk_ids_are_stable_and_unique_in_the_real_knowledge_base() -> None:
    documents = read_folders([PROJECT_ROOT / "knowledge"])
    first = [p.chunk_id for d in documents for p in chunk(d)]
    second = [p.chunk_id for d in read_folders([PROJECT_ROOT / "knowledge"]) for p in chunk(d)]
    assert first == second
    assert len(first) == len(set(first))


def test_every_real_passage_fits_the_model(embedder) -> None:
    documents = read_folders([PROJECT_ROOT / "knowledge"])
    passages = [p for d in documents for p in chunk(d)]
    assert passages
    longest = max(embedder.token_count(p.embedding_text()) for p in passages)
    assert longest <= embedder.max_tokens, f"a passage has {longest} word pieces"
