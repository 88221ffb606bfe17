"""Specs for following the conversation (actions/followups.py) and answer-bearing extracts."""

from __future__ import annotations

import numpy as np
import pytest

from actions import followups
from peerpath.search.answers import (
    answer_bearing,
    focus_units,
    prose_sentences,
    short_answer,
    units,
)
from peerpath.search.chunking import Passage
from peerpath.search.index import Hit


def hit(chunk_id: str, score: float, topics: tuple[str, ...] = ()) -> Hit:
    doc, _, _ = chunk_id.partition("#")
    passage = Passage(chunk_id, doc, doc.title(), (chunk_id,), "Text.", topics)
    return Hit(passage, score, score, 0.0)


@pytest.mark.parametrize(
    ("text", "follows"),
    [
        ("hourly or yearly?", True),
        ("and how did that begin?", True),
        ("what about part-timers?", True),
        ("ok so what should I do then?", True),
        ("is that the same in connecticut?", True),
        ("what does a vocational peer specialist do with the people they support", True),
        ("what does a vocational peer specialist do for job seekers in vermont", False),
        ("how long does peer specialist training usually take in most states", False),
    ],
)
def test_what_looks_like_a_follow_up(text: str, follows: bool) -> None:
    assert followups.looks_like_follow_up(text) is follows


@pytest.mark.parametrize(
    ("alone", "together", "previous_chunk", "followed"),
    [
        # the joined query finds a clearly better answer: it leans on the question before
        (
            [hit("coalition#members", 0.45)],
            [hit("coalition#history", 0.62)],
            "coalition#what",
            True,
        ),
        # alone scores better: a new, self-contained question starts fresh
        ([hit("wages#pay", 0.70)], [hit("coalition#what", 0.55)], "coalition#what", False),
        # a near-tie stays with the previous article
        ([hit("training#hours", 0.60)], [hit("wages#pay", 0.59)], "wages#average", True),
        ([hit("training#hours", 0.60)], [hit("coalition#x", 0.61)], "wages#average", False),
        # nothing found alone: the joined query is all there is
        ([], [hit("wages#pay", 0.5)], "wages#average", True),
        ([hit("wages#pay", 0.5)], [], "wages#average", False),
    ],
)
def test_alone_or_joined_with_the_previous_question(
    alone: list[Hit], together: list[Hit], previous_chunk: str, followed: bool
) -> None:
    choice = followups.choose("and then?", alone, "what do peers earn", together, previous_chunk)
    assert choice.followed is followed
    assert choice.query == ("what do peers earn and then?" if followed else "and then?")


@pytest.mark.parametrize(
    ("alone", "followed"),
    [
        # the follow-up's own words find another section of the article just discussed
        ([hit("telehealth#equipment", 0.44)], False),
        # ... but too weakly to answer, or the section just shown: the joined query decides
        ([hit("telehealth#equipment", 0.30)], True),
        ([hit("telehealth#numbers", 0.50)], True),
    ],
)
def test_own_words_in_the_same_article_answer_a_follow_up(alone: list[Hit], followed: bool) -> None:
    together = [hit("telehealth#numbers", 0.70), hit("telehealth#helping", 0.62)]
    choice = followups.choose(
        "i mean the equipment side", alone, "telehealth", together, "telehealth#numbers", 0.4
    )
    assert choice.followed is followed


def test_the_intents_topic_only_breaks_near_ties() -> None:
    ranked = [
        hit("a#1", 0.70, ("role",)),
        hit("b#1", 0.695, ("wages",)),
        hit("c#1", 0.5, ("wages",)),
    ]
    assert followups.tie_break(ranked, "wages")[0].passage.chunk_id == "b#1"
    apart = [hit("a#1", 0.70, ("role",)), hit("b#1", 0.65, ("wages",))]
    assert followups.tie_break(apart, "wages")[0].passage.chunk_id == "a#1", "search's order stands"
    assert followups.tie_break(ranked, None) == ranked


@pytest.mark.parametrize(
    ("text", "role", "rest", "question"),
    [
        ("btw I'm a peer specialist now, is there any way to move up?", "peer_specialist",
         "is there any way to move up?", True),
        ("as an employer, how do I prepare my team for peers?", "employer",
         "how do I prepare my team for peers?", True),
        ("i'm a VR counselor", "counselor", "", False),
        ("im looking for work and wondering what a peer specialist earns?", "job_seeker",
         "wondering what a peer specialist earns?", True),
        ("i supervise peers. what training should i get", "employer", "what training should i get",
         True),
        ("speaking as a vr counselor, do vocational peer specialists need to be certified?",
         "counselor", "do vocational peer specialists need to be certified?", True),
        ("ok im an employer actually. what should a peer's job description look like?",
         "employer", "what should a peer's job description look like?", True),
        # one word may qualify the role
        ("im a new supervisor, how do i support my peers", "employer",
         "how do i support my peers", True),
        ("i'm a little worried about the training", None, "", False),
        ("what does a peer specialist earn", None, "", False),
        # "as a peer" inside a question names no asker
        ("how do i negociate my salary as a peer", None, "", False),
        ("who counts as a peer provider", None, "", False),
    ],
)  # fmt: skip
def test_a_role_said_with_a_question(
    text: str, role: str | None, rest: str, question: bool
) -> None:
    said = followups.role_said(text)
    assert (said.role if said else None) == role
    if said:
        assert said.rest == rest
        assert followups.is_question(said.rest) is question


@pytest.mark.parametrize(
    ("question", "carries", "lacks"),
    [
        ("who wrote the action agenda?", "It was written by Jeremy Reuling and Rita Cronise.",
         "It was written by three people."),
        ("when did the coalition start?", "It began in 2011 after the storm.",
         "It began after a storm."),
        ("how many states took part?", "People from 14 states came.",
         "People from many states came."),
        ("how much do peer specialists earn", "They averaged $16.76 an hour.", "Pay varies a lot."),
    ],
)  # fmt: skip
def test_what_a_question_asks_for(question: str, carries: str, lacks: str) -> None:
    bearing = answer_bearing(question)
    assert bearing is not None and bearing(carries) and not bearing(lacks)
    assert answer_bearing("what does a peer specialist do") is None


def test_the_extract_keeps_the_sentence_with_the_number() -> None:
    text = ("Peer pay is often low compared with similar jobs. Many peers work part time. "
            "Some states pay more than others. Surveys differ in how they ask. "
            "In 2023 the average was $16.76 an hour.")  # fmt: skip
    passage = Passage("wages#pay", "wages", "Wages", ("Pay",), text)
    sentences = prose_sentences(text)
    vectors = np.eye(len(sentences), 4, dtype=np.float32)
    query = np.array([0, 0, 1, 0], dtype=np.float32)  # closest to "Some states pay more"
    plain = short_answer(passage, query, vectors, "why do some states differ")
    assert "16.76" not in plain
    asked = short_answer(passage, query, vectors, "how much do peers earn per hour")
    assert "16.76" in asked and asked.startswith("Peer pay is often low")


@pytest.mark.parametrize(
    ("question", "hits", "previous_chunk", "first"),
    [
        # "tell me more"-like follow-ups move on from the section just shown
        ("and for part-timers?", [hit("wages#pay", 0.6), hit("wages#hours", 0.58)], "wages#pay",
         "wages#hours"),
        # unless the question asks for a number the shown section may hold
        ("how much is that per hour?", [hit("wages#pay", 0.6), hit("wages#hours", 0.58)],
         "wages#pay", "wages#pay"),
        # the previous article wins within SAME_ARTICLE_MARGIN ...
        ("what about vermont?", [hit("training#x", 0.60), hit("wages#states", 0.58)],
         "wages#pay", "wages#states"),
        # ... and not beyond it
        ("what about vermont?", [hit("training#x", 0.60), hit("wages#states", 0.50)],
         "wages#pay", "training#x"),
    ],
)  # fmt: skip
def test_a_follow_up_moves_on_within_the_same_article(
    question: str, hits: list[Hit], previous_chunk: str, first: str
) -> None:
    assert followups.onward(hits, question, previous_chunk)[0].passage.chunk_id == first


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("no, I mean the training", True),
        ("specifically for veterans", True),
        ("is it paid?", True),
        ("what training do vocational peer specialists need", False),
        ("how much do peer specialists earn in new york", False),
    ],
)
def test_what_leans_on_the_previous_answer(text: str, leans: bool) -> None:
    assert followups.leans_on_previous(text) is leans


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("who wrote that?", True),
        ("where does that come from", True),
        ("what's the source?", True),
        ("sources", True),
        ("who wrote the action agenda?", False),  # a question about a name, not our source
        ("where do peer specialists work", False),
    ],
)
def test_asking_for_the_source(text: str, asks: bool) -> None:
    assert followups.asks_for_source(text) is asks


def test_the_works_a_passage_cites() -> None:
    text = (
        "Peers help (Ashcraft & Anthony, 2007). Pay is low (SAMHSA, 2023; Ashcraft & Anthony, "
        "2007). In (Daniels et al., 2016a) and again (Ashcraft & Anthony, 2007)."
    )
    assert followups.citations(text) == [
        "Ashcraft & Anthony, 2007",
        "SAMHSA, 2023; Ashcraft & Anthony, 2007",
        "Daniels et al., 2016a",
    ]
    assert followups.citations("No works cited here (see below).") == []


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("i had a suicide attempt in my past and im on ssdi now. can i work part time?",
         "im on ssdi now. can i work part time?"),  # the benefits context stays
        ("my brother died of an overdose, so how do i become a recovery coach",
         "how do i become a recovery coach"),
        # nothing but the history: the message is kept whole
        ("i attempted suicide years ago", "i attempted suicide years ago"),
        # no disclosure: unchanged
        ("what training does crisis line work need", "what training does crisis line work need"),
    ],
)  # fmt: skip
def test_a_disclosed_history_is_left_out_of_the_search(text: str, question: str) -> None:
    assert followups.without_disclosure(text) == question


def test_a_follow_up_on_the_same_section_gets_the_sentence_that_answers() -> None:
    text = ("Peers earn less than case managers. The gap is about $3 an hour nationally. "
            "In New York it was $7 an hour. Other states have no figures.")  # fmt: skip
    passage = Passage("wages#compare", "wages", "Wages", ("Compare",), text)
    vectors = np.eye(4, 4, dtype=np.float32)
    new_york = np.array([0.1, 0.2, 0.9, 0.0], dtype=np.float32)
    # left out of the short answer: shown now
    assert focus_units(passage, new_york, vectors, [0, 1]) == [2]
    # already shown: again, alone, only if it holds a word the follow-up brings
    assert focus_units(passage, new_york, vectors, [0, 1, 2, 3]) == []
    assert focus_units(passage, new_york, vectors, [0, 1, 2], frozenset({"york"})) == [2]
    # closer to what was shown, with none of the new words: nothing new to say
    nationally = np.array([0.1, 0.9, 0.2, 0.0], dtype=np.float32)
    assert focus_units(passage, nationally, vectors, [0, 1], frozenset({"york"})) == []


def test_a_citation_stays_with_its_sentence() -> None:
    text = ("Peers earn less. (Reuling, Cronise & Wolf, 2024) The gap varies (a lot).\n"
            "- one item\n- last item\n(Smith, 2020)")  # fmt: skip
    assert units(text) == [
        "Peers earn less. (Reuling, Cronise & Wolf, 2024)",
        "The gap varies (a lot).",
        "- one item",
        # a list's citation goes with its last item: never a unit "tell me more" shows alone
        "- last item (Smith, 2020)",
    ]


def test_a_follow_up_asking_for_a_date_or_name_gets_the_sentence_that_carries_it() -> None:
    text = ("It is a September 2024 report by three authors. "
            "The authors did the work without a sponsor. (Reuling, Cronise & Wolf, 2024) "
            "It names ten priorities.")  # fmt: skip
    passage = Passage("agenda#what", "agenda", "Agenda", ("What is it?",), text)
    vectors = np.eye(3, 3, dtype=np.float32)
    published = np.array([0.2, 0.9, 0.1], dtype=np.float32)  # closest: the sponsor sentence
    # "when was it published?": the sentence with a date (a citation's year is none),
    # though it was shown already
    assert focus_units(passage, published, vectors, [0], question="when was it published?") == [0]
    # a follow-up that asks no such thing keeps the closest sentence
    assert focus_units(passage, published, vectors, [0], question="and the sponsor?") == [1]
