"""Specs for typo repair in search queries (peerpath/search/spelling.py)."""

from __future__ import annotations

import pytest

from peerpath.search.spelling import Speller, distance, word_list

CORPUS = [
    "Peer specialists earn a salary; some negotiate their pay.",
    "The Ticket to Work program. Apprenticeships help peers advance.",
    "Telehealth equipment: a laptop, a headset and a private room.",
    "Vocational peer specialists support people who want work.",
]
# words the embedding model knows (a stand-in for its 22,000-word vocabulary)
KNOWN = {"actually", "recipe", "specialist", "what", "would"}


# an English word list's words (wamerican's): left alone, never offered as corrections
DICTIONARY = {"petitioners", "untrained", "calories"}


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(CORPUS, KNOWN, DICTIONARY)


@pytest.mark.parametrize(
    ("query", "corrected"),
    [
        ("peer specialist salery", "peer specialist salary"),
        ("what is tickit to work", "what is ticket to work"),
        ("are there peer apprenticships", "are there peer apprenticeships"),
        ("telehelth equipmant", "telehealth equipment"),
        ("how do i negociate", "how do i negotiate"),
        ("what would a Vocatonal peer do", "what would a vocational peer do"),
        # known words, short words and chat spellings stay as they are
        ("what would it actually be", "what would it actually be"),
        ("i dont want a job", "i dont want a job"),
        ("VPS and SSI", "VPS and SSI"),
        ("untrained petitioners count calories", "untrained petitioners count calories"),
        # nothing close enough: left alone, not forced onto a knowledge-base word
        ("a lasagna recipe", "a lasagna recipe"),
        ("zzzzzz", "zzzzzz"),
        ("", ""),
    ],
)
def test_unknown_words_become_the_closest_knowledge_base_word(
    speller: Speller, query: str, corrected: str
) -> None:
    assert speller.correct(query) == corrected


def test_punctuation_and_case_around_a_correction_are_kept(speller: Speller) -> None:
    assert speller.correct("Salery? (hourly)") == "salary? (hourly)"
    assert speller.correct("Peer Salary!") == "Peer Salary!"


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [("salery", "salary", 1), ("tickit", "ticket", 1), ("form", "from", 1),
     ("apprenticships", "apprenticeships", 1), ("abc", "abc", 0), ("", "ab", 2)],
)  # fmt: skip
def test_edit_distance_counts_a_swap_as_one_edit(a: str, b: str, d: int) -> None:
    assert distance(a, b) == d


def test_a_missing_word_list_is_empty_not_an_error(tmp_path) -> None:
    assert word_list(tmp_path / "no-such-file") == frozenset()
    words = tmp_path / "words"
    words.write_text("Calories\ncalorie's\nuntrained\n")
    assert word_list(words) == {"calories", "untrained"}
