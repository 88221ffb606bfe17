"""The pure parts of `make coverage`: reading seeds into units, figures, omissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.eval.coverage import (
    MAX_WORDS,
    figures,
    furniture,
    halves,
    join_broken,
    list_items,
    load_omissions,
    main,
    missing_figures,
    paragraphs,
    recommendations,
    seed_units,
    split_recommendations,
    status,
)

HEADER = "PEER SPECIALISTS\tSUPERVISORS\tEMPLOYERS\tPOLICY MAKERS"

SEED = f"""A Report Title

Some Heading

The coalition has 13 member organizations and began in the wake of a flood that closed
the hospital.

Peer role implementation must be ad-

dressed at all levels, including the financial ones.

2020

COVID-19 pandemic begins, leads to major shifts in how services are delivered.

Key concerns about the process:

  1. Lack of representation;
  2. Rushed grandparenting process;

The coalition has 13 member organizations and began in the wake of a flood that closed
the hospital.

Priority 2 Action Recommendations

{HEADER}
 Believe in your self-worth Research the local standard\tEnsure pay meets a living wage\t\t

- Smith, J. (2020). A paper. https://example.org/paper
- Jones, K. (2019). Another paper. https://example.org/other
"""


def test_paragraphs_are_numbered_in_file_order() -> None:
    assert paragraphs("one\n\ntwo\n \nthree") == [(1, "one"), (2, "two"), (3, "three")]


def test_a_page_break_inside_a_word_or_sentence_is_joined() -> None:
    skips: list = []
    blocks = [(1, "must be ad-"), (2, "dressed at all levels,"), (3, "2021; and more.")]
    assert join_broken(blocks, skips, "003") == [
        (1, "must be addressed at all levels, 2021; and more.")
    ]


def test_running_headers_are_dropped_and_a_year_line_dates_its_entry() -> None:
    skips: list = []
    blocks = [(1, "2022 - 2023"), (2, "Priority 4 (Cont'd)"), (3, "Development of an article.")]
    assert join_broken(blocks, skips, "003") == [(1, "2022 - 2023: Development of an article.")]
    assert [s.reason for s in skips] == ["running header"]


def test_list_items_need_two_or_more_marked_lines() -> None:
    assert list_items("  1. First;\n  2. Second;") == ["First;", "Second;"]
    assert list_items("  • Engages peers\n  • Provides support") == [
        "Engages peers",
        "Provides support",
    ]
    assert list_items("Just a sentence.\nAnd another.") is None
    assert list_items("  1. Only one") is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            " Believe in your worth Research the local standard for a living wage",
            ["Believe in your worth", "Research the local standard for a living wage"],
        ),
        (
            "Review the NASMHD Change Agent Series Be familiar with it",
            ["Review the NASMHD Change Agent Series", "Be familiar with it"],
        ),
        (
            "Meet with employers In addition to peer roles, also seek leadership roles",
            ["Meet with employers", "In addition to peer roles, also seek leadership roles"],
        ),
        (
            "Advocate with your state Medicaid program",
            ["Advocate with your state Medicaid program"],
        ),
    ],
)
def test_a_table_cell_is_split_at_each_imperative(cell: str, expected: list[str]) -> None:
    assert split_recommendations(cell) == expected


def test_recommendations_come_with_their_group_and_garbled_lines_are_counted() -> None:
    block = (
        f"Titority 5 Tites\t\t\t\n{HEADER}\n Ask for breaks\tCreate mentoring\tFund groups\tStep in"
    )
    pairs, garbled = recommendations(block)
    assert garbled == 1
    assert pairs == [
        ("peer specialists", "Ask for breaks"),
        ("supervisors", "Create mentoring"),
        ("employers", "Fund groups"),
        ("policy makers", "Step in"),
    ]


@pytest.mark.parametrize(
    ("block", "number", "reason"),
    [
        ("Listening to the Peer Support Workforce", 1, "title"),
        ("1", 2, "page number"),
        ("September 2024", 3, "date line"),
        ("November 01, 2007", 3, "date line"),
        ("Jeremy Reuling, LCSW, NYCPS Rita Cronise, MS, ALWF Jessica Wolf, PhD", 4, "byline"),
        ("- Smith, J. (2020). A paper.\n- Jones, K. (2019). https://x.org", 9, "reference list"),
        ("Stakeholder Groups", 9, "heading"),
        ("Is a Peer Specialist Different than an Employment Specialist?", 9, "heading"),
        ("Leave a comment!", 9, "too short"),
        ("Peer support is a profession with defined competencies.", 9, None),
    ],
)
def test_furniture_rules(block: str, number: int, reason: str | None) -> None:
    following = "A much longer paragraph of body text follows the line before it here."
    assert furniture(block, number, following) == reason


def test_a_long_paragraph_is_cut_into_near_equal_parts_at_sentence_ends() -> None:
    sentence = "Peer specialists bring lived experience to every team they join today. "
    text = (sentence * 30).strip()  # 330 words
    parts = halves(text)
    assert len(parts) == 2
    assert all(len(p.split()) <= MAX_WORDS for p in parts)
    assert " ".join(parts) == text


def test_seed_units_ids_contexts_and_skips() -> None:
    units, skips = seed_units("003", SEED)
    by_id = {u.unit_id: u for u in units}
    assert by_id["003:p3"].text.startswith("The coalition has 13 member")
    assert by_id["003:p4"].text == (
        "Peer role implementation must be addressed at all levels, including the financial ones."
    )
    assert by_id["003:p6"].text.startswith("2020: COVID-19 pandemic begins")
    # a one-sentence lead-in is read with each item, not on its own
    assert by_id["003:p9.2"].text == "Rushed grandparenting process;"
    assert by_id["003:p9.2"].context == "Key concerns about the process:"
    assert "003:p8" not in by_id
    # recommendations: numbered within their priority, read with their group
    recs = [u for u in units if ":rec-" in u.unit_id]
    assert [(u.unit_id, u.group, u.text) for u in recs] == [
        ("003:rec-2.1", "peer specialists", "Believe in your self-worth"),
        ("003:rec-2.2", "peer specialists", "Research the local standard"),
        ("003:rec-2.3", "supervisors", "Ensure pay meets a living wage"),
    ]
    assert recs[2].embedding_text == "Supervisors: Ensure pay meets a living wage"
    reasons = {s.unit_id: s.reason for s in skips}
    assert reasons["003:p1"] == "title"
    assert reasons["003:p2"] == "title"  # a subtitle right after the title
    assert reasons["003:p10"] == "repeats 003:p3"
    assert reasons["003:p11"] == "heading"
    assert reasons["003:p12"] == "table header"
    assert reasons["003:p13"] == "reference list"


def test_figures_skip_citation_years_and_words_with_numbers_in_them() -> None:
    text = (
        "Part-time peers averaged \\$15.42 (Daniels et al., 2016) and 82,286 are certified "
        "(Pronk 2014) since COVID-19; 37% were satisfied, for 2 years, from July 1, 2026."
    )
    assert figures(text) == {"15.42", "82,286", "37", "2026"}


def test_missing_figures_are_those_knowledge_never_states() -> None:
    known = figures("Peers averaged $16.76 an hour and 37% were satisfied.")
    assert missing_figures("Averages of $16.76 and $24.47; 37% satisfied.", known) == ("24.47",)


def test_omissions_load_and_need_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "omissions.yml"
    assert load_omissions(path) == {}
    path.write_text('- unit: "002:p2"\n  reason: "web-page chrome"\n')
    assert load_omissions(path) == {"002:p2": "web-page chrome"}
    path.write_text('- unit: "002:p2"\n')
    with pytest.raises(ValueError, match="reason"):
        load_omissions(path)


@pytest.mark.parametrize(
    ("score", "missing", "omitted", "expected"),
    [
        (0.70, (), None, "covered"),
        (0.50, (), None, "UNCOVERED"),
        (0.90, ("24.47",), None, "UNCOVERED (figures: 24.47)"),
        (0.10, (), "thanks", "omitted (thanks)"),
    ],
)
def test_status(score: float, missing: tuple[str, ...], omitted: str | None, expected: str) -> None:
    assert status(score, missing, omitted, threshold=0.58) == expected


def test_a_missing_seed_folder_is_reported_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--seeds", str(tmp_path / "nowhere")]) == 0
    assert "nothing to check" in capsys.readouterr().out
