"""knowledge/ holds the facts of the sources (`make coverage`), and the check can tell."""

from __future__ import annotations

from pathlib import Path

from eval.coverage import TARGET, coverage, load_facts, load_omissions, passages


def test_every_fact_has_expressions_that_compile_and_a_source() -> None:
    facts = load_facts()
    assert len(facts) >= 800
    assert len({f.id for f in facts}) == len(facts), "fact ids are unique"
    assert {f.source for f in facts} == {"000", "001", "002", "003", "004"}
    assert all(f.match for f in facts)


def test_knowledge_holds_the_target_share_of_the_facts() -> None:
    facts = load_facts()
    result = coverage(facts, [p.text for p in passages()], load_omissions())
    missing = [f"{f.id}: {f.fact}" for f in result.missing]
    assert result.share >= TARGET, missing


def test_a_fact_is_held_only_when_one_passage_matches_all_its_expressions() -> None:
    [fact] = [f for f in load_facts() if f.id == "000-05"]  # 13 peer-run member organizations
    assert coverage([fact], ["The coalition has 13 peer-run members."], {}).held == [fact]
    split = ["The coalition has 13 of them.", "Its members are peer-run."]
    assert coverage([fact], split, {}).missing == [fact], "the two halves are in two passages"
    omitted = coverage([fact], ["nothing here"], {"000-05": "why"})
    assert omitted.omitted == [fact] and omitted.share == 0.0, "an omission still counts against"


def test_omissions_are_read_by_fact_id(tmp_path: Path) -> None:
    path = tmp_path / "omissions.yml"
    path.write_text('- fact: "003-731"\n  reason: "the endorsing organizations were logos"\n')
    assert load_omissions(path) == {"003-731": "the endorsing organizations were logos"}
