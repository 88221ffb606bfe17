"""Knowledge answers, run with a real index, a real dispatcher and fresh trackers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import (
    IPS_QUESTION,
    ActionAnswerQuestion,
    ActionTellMeMore,
    ambiguous_ips,
)
from actions.services import Knowledge
from actions.showing import NO_ANSWER, NOTHING_MORE
from tests.helpers.rasa import knowledge_for, load_domain, new_tracker, slots_set


@pytest.fixture
def kb(small_index, tmp_path: Path) -> Knowledge:
    return knowledge_for(small_index, tmp_path)


async def ask(kb: Knowledge, text: str, intent: str = "nlu_fallback", **slots):
    dispatcher = CollectingDispatcher()
    tracker = new_tracker(text=text, intent=intent, slots=slots)
    events = await ActionAnswerQuestion(kb).run(dispatcher, tracker, load_domain())
    return dispatcher.messages, events


async def test_answer_is_short_cites_its_source_and_offers_more(kb: Knowledge) -> None:
    messages, events = await ask(kb, "how much do peer specialists get paid?")
    message, feedback = messages
    assert feedback["text"] == "Was this helpful?"
    assert [b["payload"] for b in feedback["buttons"]] == [
        '/feedback{"helpfulness": "yes"}',
        '/feedback{"helpfulness": "no"}',
    ]
    assert "seventeen dollars an hour" in message["text"]
    assert "From: Peer jobs in brief, “How much do peer specialists earn?”" in message["text"]
    [source] = message["custom"]["sources"]
    assert source["url"] == "https://peerpath.test/kb/peer-jobs#how-much-do-peer-specialists-earn"
    assert source["section"] == "How much do peer specialists earn?"
    assert message["custom"]["kind"] == "answer"
    assert message["buttons"][0] == {"title": "Tell me more", "payload": "/tell_me_more"}
    slots = slots_set(events)
    assert slots["kb_last"] == "peer-jobs#how-much-do-peer-specialists-earn"


async def test_off_topic_question_is_not_answered_with_a_passage(kb: Knowledge) -> None:
    messages, events = await ask(kb, "what's a good recipe for banana bread?")
    assert messages[0]["text"] == NO_ANSWER
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human", "/help"]
    assert all("custom" not in m or not m["custom"].get("sources") for m in messages)
    assert slots_set(events) == {
        "kb_queue": [],
        "kb_last": None,
        "kb_question": None,
        "kb_shown": None,
    }


async def test_benefits_answers_say_general_information_and_point_to_counseling(
    kb: Knowledge,
) -> None:
    messages, _ = await ask(kb, "can I keep my disability payments if I start a job?")
    text = messages[0]["text"]
    assert "not legal or financial advice" in text
    assert "A free benefits counselor" in text
    assert "1-866-968-7842" in text


@pytest.mark.parametrize("text", ["what is IPS", "IPS stands for what", "IPS training"])
async def test_bare_ips_gets_the_section_telling_both_apart_and_a_button_for_each(
    knowledge_index, tmp_path: Path, text: str
) -> None:
    messages, events = await ask(knowledge_for(knowledge_index, tmp_path), text)
    assert "Intentional Peer Support" in messages[0]["text"]
    assert "Individual Placement and Support" in messages[0]["text"]
    assert messages[0]["custom"]["sources"][0]["doc"] == "ips-two-meanings"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "What is Intentional Peer Support?",
        "What is Individual Placement and Support?",
    ]
    assert slots_set(events)["kb_last"].startswith("ips-two-meanings#")


async def test_bare_ips_asks_which_one_when_no_section_explains_both(kb: Knowledge) -> None:
    messages, events = await ask(kb, "tell me about IPS")
    assert messages[0]["text"] == IPS_QUESTION
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [
        "What is Intentional Peer Support?",
        "What is Individual Placement and Support?",
    ]
    assert events == []
    assert not ambiguous_ips("is IPS the intentional peer support training?")
    assert not ambiguous_ips("ips supported employment")
    assert not ambiguous_ips("tips for interviews")


async def test_topic_button_without_text_asks_the_topic_question(kb: Knowledge) -> None:
    messages, _ = await ask(kb, "/ask_wages", intent="ask_wages")
    assert "From: Peer jobs in brief" in messages[0]["text"]


async def test_tell_me_more_walks_the_results_then_says_it_is_done(kb: Knowledge) -> None:
    _, events = await ask(kb, "what does a peer specialist do")
    slots = slots_set(events)
    seen = {slots["kb_last"]}
    for _ in range(12):
        dispatcher = CollectingDispatcher()
        tracker = new_tracker(text="tell me more", intent="tell_me_more", slots=slots)
        events = await ActionTellMeMore(kb).run(dispatcher, tracker, load_domain())
        slots = {**slots, **slots_set(events)}
        message = dispatcher.messages[0]
        if message["text"] == NOTHING_MORE:
            break
        assert message["custom"]["sources"]
        assert slots["kb_last"] not in seen, "never the same passage twice"
        seen.add(slots["kb_last"])
    else:
        pytest.fail("tell me more never ran out")
    assert len(seen) >= 2


async def test_tell_me_more_with_nothing_asked_yet(kb: Knowledge) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionTellMeMore(kb).run(
        dispatcher, new_tracker(text="more", intent="tell_me_more"), load_domain()
    )
    assert dispatcher.messages[0]["text"] == NOTHING_MORE
    assert slots_set(events) == {"kb_queue": [], "kb_last": None, "kb_shown": None}


async def test_go_on_with_one_short_line_left_brings_the_next_section_too(kb: Knowledge) -> None:
    # the first two sentences of "What does a peer specialist do?" were shown: the rest is
    # "They do not diagnose or prescribe." (5 words)
    slots = {"kb_last": "peer-jobs#what-does-a-peer-specialist-do", "kb_shown": [0, 1],
             "kb_queue": []}  # fmt: skip
    dispatcher = CollectingDispatcher()
    tracker = new_tracker(text="go on", intent="tell_me_more", slots=slots)
    events = await ActionTellMeMore(kb).run(dispatcher, tracker, load_domain())
    answers = [m for m in dispatcher.messages if m.get("custom", {}).get("sources")]
    assert [a["custom"]["sources"][0]["chunk_id"] for a in answers] == [
        "peer-jobs#what-does-a-peer-specialist-do", "peer-jobs#how-much-do-peer-specialists-earn",
    ]  # fmt: skip
    assert "do not diagnose" in answers[0]["text"] and "seventeen dollars" in answers[1]["text"]
    assert [m["text"] for m in dispatcher.messages].count("Was this helpful?") == 1
    assert slots_set(events)["kb_last"] == "peer-jobs#how-much-do-peer-specialists-earn"


async def test_an_unanswered_question_is_counted_by_its_nearest_section_never_its_words(
    kb: Knowledge,
) -> None:
    await ask(kb, "how much do peer specialists get paid?")  # answered: nothing counted
    assert kb.feedback().gaps() == []
    await ask(kb, "what's a good recipe for banana bread?")
    [gap] = kb.feedback().gaps()
    assert (gap.kind, gap.count, gap.week.weekday()) == ("no_answer", 1, 0)
    assert "banana" not in repr(gap)
    database = Path(kb.settings.feedback_db_url.reveal().removeprefix("sqlite:///"))
    assert b"banana" not in database.read_bytes()


async def test_a_document_as_it_came_is_quoted_under_its_own_title(kb: Knowledge) -> None:
    """A coalition's own file without article front matter (tests/fixtures/kb/trainings.txt)
    is answered from in its own words, in quotation marks, under its title and section."""
    messages, _ = await ask(kb, "what do supervisors of peer staff learn?")
    text = messages[0]["text"]
    assert text.startswith("From the document “Trainings for peers”, “Supervisor training”:")
    assert "“Supervisors of peer staff learn how to give feedback" in text
    assert "From: " not in text
    messages, _ = await ask(kb, "how much do peer specialists get paid?")
    assert "From: Peer jobs in brief" in messages[0]["text"], "our articles keep their line"
