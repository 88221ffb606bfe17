"""Questions people might ask that a section answers (knowledge/asked/): read, matched,
kept fresh, and never able to break the index."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
import yaml

from peerpath.search.asked import read_asked
from peerpath.search.service import open_index
from peerpath.settings import SearchSettings

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
ASKED = sorted((KNOWLEDGE / "asked").rglob("*.yml"))  # English, and Spanish under es/


def doc_id(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


# Words only the asked question has: nothing in the fixture articles says them.
QUESTION = "will a ladder of rungs get me from newbie to boss"


@pytest.fixture
def kb(fixture_kb: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(fixture_kb, folder)
    return folder


def settings_for(kb: Path, tmp_path: Path) -> SearchSettings:
    return SearchSettings(knowledge_dirs=(kb,), index_dir=tmp_path / "index")


def write_asked(kb: Path, doc: str, text: str) -> None:
    (kb / "asked").mkdir(exist_ok=True)
    (kb / "asked" / f"{doc}.yml").write_text(text, encoding="utf-8")


def test_a_question_finds_its_section_through_the_asked_questions(
    kb: Path, embedder, tmp_path: Path
) -> None:
    before = open_index(settings_for(kb, tmp_path), embedder).search(QUESTION, 1)[0]
    write_asked(kb, "peer-jobs", f'"What is a career ladder?":\n  - "{QUESTION}"\n')
    index = open_index(settings_for(kb, tmp_path), embedder)  # the change is noticed
    [hit] = index.search(QUESTION, 1)
    assert hit.passage.chunk_id == "peer-jobs#what-is-a-career-ladder"
    assert hit.score > before.score
    assert hit.passage.asked == (QUESTION,)
    # saved and loaded with the index
    again = open_index(settings_for(kb, tmp_path), embedder)
    assert again.search(QUESTION, 1)[0].score == pytest.approx(hit.score, abs=1e-5)


def test_bad_asked_files_are_skipped_and_the_index_still_builds(
    kb: Path, embedder, tmp_path: Path, caplog
) -> None:
    write_asked(kb, "peer-jobs", '"What is a career ladder?": [unclosed\n')
    write_asked(kb, "trainings", "- just a list\n")
    write_asked(kb, "coalition", '"No such heading?":\n  - "where do i go"\n')
    with caplog.at_level(logging.WARNING):
        index = open_index(settings_for(kb, tmp_path), embedder)
    assert index.search("what is a career ladder", 1)[0].passage.asked == ()
    logged = caplog.text
    assert "search.asked_unreadable doc=peer-jobs" in logged
    assert "search.asked_unreadable doc=trainings" in logged
    assert "search.asked_unmatched doc=coalition" in logged
    assert "where do i go" not in logged, "questions are data, not log lines"


def headings(doc: str) -> list[str]:
    text = (KNOWLEDGE / f"{doc}.md").read_text(encoding="utf-8")
    return re.findall(r"^## (.+?)\s*$", text, re.M)


@pytest.mark.parametrize("path", ASKED, ids=[doc_id(p, KNOWLEDGE / "asked") for p in ASKED])
def test_every_asked_file_matches_its_article(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc = doc_id(path, KNOWLEDGE / "asked")
    assert (KNOWLEDGE / f"{doc}.md").exists(), "an asked file belongs to an article"
    assert list(data) == headings(doc), "one entry per section, in order"
    for heading, questions in data.items():
        assert len(questions) >= 3, heading
        assert all(q.strip() and q.strip().lower() != heading.lower() for q in questions)


def test_every_article_has_asked_questions() -> None:
    articles = {doc_id(p, KNOWLEDGE) for p in KNOWLEDGE.rglob("*.md")}
    assert articles == {doc_id(p, KNOWLEDGE / "asked") for p in ASKED}
    assert len(read_asked([KNOWLEDGE])) == sum(len(headings(doc)) for doc in articles)
