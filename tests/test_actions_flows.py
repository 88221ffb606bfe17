"""Guided flows, who-is-asking, feedback and small talk: real actions, fresh trackers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import benefits, conversation, handoff, menu, training
from actions.services import Knowledge
from peerpath.crisis import CRISIS_TEXT
from peerpath.feedback import FeedbackStore
from tests.helpers.rasa import knowledge_for, load_domain, new_tracker, slots_set


@pytest.fixture
def kb(knowledge_index, tmp_path: Path) -> Knowledge:
    return knowledge_for(knowledge_index, tmp_path)


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def run(action, **tracker_args):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, new_tracker(**tracker_args), load_domain())
    return dispatcher, events


# --- who is asking ---------------------------------------------------------


async def test_first_greeting_asks_who_is_asking_with_a_skip() -> None:
    dispatcher, _ = await run(menu.ActionGreet(), text="hi", intent="greet")
    assert dispatcher.messages[1]["text"] == menu.ASK_ROLE
    titles = [b["title"] for b in dispatcher.messages[1]["buttons"]]
    assert "Just browsing" in titles and len(titles) == 5


async def test_greeting_a_known_person_shows_their_menu() -> None:
    dispatcher, _ = await run(
        menu.ActionGreet(), text="hi", intent="greet", slots={"role": "employer"}
    )
    payloads = [b["payload"] for b in dispatcher.messages[1]["buttons"]]
    assert "/ask_employers" in payloads


async def test_setting_and_changing_who_is_asking() -> None:
    entities = [{"entity": "user_role", "value": "counselor"}]
    dispatcher, events = await run(
        menu.ActionSetRole(), text="actually i'm a VR counselor", intent="set_role",
        entities=entities, slots={"role": "job_seeker"},
    )  # fmt: skip
    assert slots_set(events) == {"role": "counselor"}
    assert "vocational rehabilitation counselor" in dispatcher.messages[0]["text"]
    assert "/find_resource" in [b["payload"] for b in dispatcher.messages[1]["buttons"]]


async def test_a_role_said_with_a_situation_keeps_it_for_the_next_follow_up() -> None:
    text = "i'm a clinical director and some of my nurses worry peers will take their jobs"
    _, events = await run(menu.ActionSetRole(), text=text, intent="set_role")
    assert slots_set(events) == {
        "role": "employer", "kb_question": "some of my nurses worry peers will take their jobs",
    }  # fmt: skip


async def test_saying_i_want_to_change_who_i_am_without_a_role_asks_again() -> None:
    dispatcher, events = await run(
        menu.ActionSetRole(), text="/set_role", intent="set_role", slots={"role": "employer"}
    )
    assert events == []
    assert dispatcher.messages[0]["text"] == menu.ASK_ROLE


@pytest.mark.parametrize("role", [None, *menu.ROLES])
async def test_every_menu_offers_a_peer(role) -> None:
    dispatcher, _ = await run(
        menu.ActionShowMenu(), text="menu", intent="help", slots={"role": role}
    )
    assert "/request_human" in [b["payload"] for b in dispatcher.messages[0]["buttons"]]


# --- benefits check ----------------------------------------------------------


def validate_benefits(slot: str, value, **tracker_args):
    dispatcher = CollectingDispatcher()
    form = benefits.ValidateBenefitsForm()
    method = getattr(form, f"validate_{slot}")
    result = method(value, dispatcher, new_tracker(**tracker_args), load_domain())
    return result, dispatcher


def test_unclear_benefit_answer_is_asked_again() -> None:
    result, dispatcher = validate_benefits("benefit_program", "the blue one", text="the blue one")
    assert result == {"benefit_program": None}
    assert dispatcher.messages[0]["text"] == benefits.UNCLEAR


def test_two_programs_named_mean_both() -> None:
    entities = [
        {"entity": "benefit_program", "value": "SSI"},
        {"entity": "benefit_program", "value": "SSDI"},
    ]
    result, dispatcher = validate_benefits(
        "benefit_program", "SSDI", text="i get ssi and ssdi", entities=entities
    )
    assert result == {"benefit_program": "both"}
    assert dispatcher.messages == []


async def test_benefit_question_has_buttons_for_every_answer() -> None:
    dispatcher, _ = await run(benefits.ActionAskBenefitProgram(), text="")
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert '/inform{"benefit_program": "not_sure"}' in payloads


async def test_benefits_summary_is_general_information_with_counseling_and_a_peer(kb) -> None:
    dispatcher, events = await run(
        benefits.ActionBenefitsSummary(kb), text="/inform",
        slots={"benefit_program": "SSDI", "work_status": "considering"},
    )  # fmt: skip
    text = texts(dispatcher)
    assert "isn't legal or financial advice" in text
    assert "trial work period" in text.lower()
    assert "1-866-968-7842" in text and "1-800-772-1213" in text
    assert dispatcher.messages[-1]["buttons"][0]["payload"] == "/request_human"
    answers = [m for m in dispatcher.messages if (m.get("custom") or {}).get("sources")]
    assert len(answers) >= 2
    assert slots_set(events) == {"benefit_program": None, "work_status": None}


# --- training finder ------------------------------------------------------------


def test_unknown_state_is_asked_again_never_crashes() -> None:
    form = training.ValidateTrainingForm()
    for value in ("Narnia", "", None, 42, ["Vermont"]):
        dispatcher = CollectingDispatcher()
        result = form.validate_training_region(value, dispatcher, new_tracker(), load_domain())
        assert result == {"training_region": None}
        assert dispatcher.messages[0]["text"] == training.UNKNOWN_STATE


async def test_wrap_in_vermont_lists_the_coalition_and_wrap(kb) -> None:
    dispatcher, events = await run(
        training.ActionFindTraining(kb), text="/inform",
        slots={"training_region": "Vermont", "training_topic": "wrap", "training_format": "either"},
    )  # fmt: skip
    text = texts(dispatcher)
    assert "Wellness Workforce Coalition" in text
    assert "Wellness Recovery Action Plan" in text
    assert dispatcher.messages[0]["custom"]["sources"]
    assert all(v is None for v in slots_set(events).values())


async def test_nothing_listed_is_said_honestly_with_alternatives(kb) -> None:
    dispatcher, _ = await run(
        training.ActionFindTraining(kb), text="/inform",
        slots={"training_region": "Texas", "training_topic": "certification",
               "training_format": "online"},
    )  # fmt: skip
    text = texts(dispatcher)
    assert "I don't have anything listed for peer specialist certification in Texas" in text
    assert "doesn't say whether these run online" in text


# --- hand-off and crisis (Rasa side) ------------------------------------------


async def test_start_handoff_asks_the_gateway_for_a_ticket() -> None:
    dispatcher, events = await run(
        handoff.ActionStartHandoff(), text="/inform", slots={"handoff_topic": "benefits"}
    )
    assert dispatcher.messages[0]["custom"] == {
        "handoff": {"request": True, "topic": "benefits", "urgent": False}
    }
    assert slots_set(events) == {"handoff_topic": None, "urgent": False}


async def test_crisis_reply_gives_numbers_and_marks_a_peer_request_urgent() -> None:
    dispatcher, events = await run(handoff.ActionCrisisResponse(), text="...", intent="crisis")
    assert dispatcher.messages[0]["text"] == CRISIS_TEXT
    assert dispatcher.messages[0]["custom"] == {"kind": "crisis"}
    assert "988" in CRISIS_TEXT and "741741" in CRISIS_TEXT and "911" in CRISIS_TEXT
    assert slots_set(events) == {"urgent": True}
    dispatcher, _ = await run(handoff.ActionStartHandoff(), text="yes", slots={"urgent": True})
    assert dispatcher.messages[0]["custom"]["handoff"]["urgent"] is True


def test_handoff_topic_keeps_only_a_category() -> None:
    form = handoff.ValidateHandoffForm()
    result = form.validate_handoff_topic(
        "my ssdi got cut and my name is Jane", CollectingDispatcher(), new_tracker(), load_domain()
    )
    assert result == {"handoff_topic": "benefits"}


# --- small conversation -----------------------------------------------------------


async def test_repeat_sends_the_last_turn_again() -> None:
    events = [
        {"event": "user", "text": "what do peers earn"},
        {"event": "bot", "text": "About $16.76 an hour.",
         "data": {"buttons": [{"title": "More", "payload": "/tell_me_more"}]}},
        {"event": "bot", "text": "Was this helpful?"},
        {"event": "user", "text": "say that again"},
    ]  # fmt: skip
    dispatcher, _ = await run(conversation.ActionRepeat(), text="say that again", events=events)
    assert [m["text"] for m in dispatcher.messages] == [
        "About $16.76 an hour.",
        "Was this helpful?",
    ]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/tell_me_more"


async def test_repeat_with_nothing_said_yet() -> None:
    dispatcher, _ = await run(conversation.ActionRepeat(), text="repeat")
    assert dispatcher.messages[0]["text"] == conversation.NOTHING_TO_REPEAT


async def test_start_over_restarts_and_greets() -> None:
    _, events = await run(conversation.ActionStartOver(), text="start over")
    assert [e["event"] for e in events] == ["restart", "followup"]


async def test_feedback_counts_the_section_without_any_text(kb, tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    chunk = kb.index.passages[0]
    action = conversation.ActionRecordFeedback(kb, store)
    for value in ("no", "no", "yes"):
        entities = [{"entity": "helpfulness", "value": value}]
        dispatcher, _ = await run(
            action, text="/feedback", intent="feedback", entities=entities,
            slots={"kb_last": chunk.chunk_id},
        )  # fmt: skip
    [row] = store.report()
    assert (row.doc_id, row.section, row.helpful, row.not_helpful) == (
        chunk.doc_id, chunk.heading, 1, 2,
    )  # fmt: skip
    dispatcher, _ = await run(
        action, text="/feedback", intent="feedback",
        entities=[{"entity": "helpfulness", "value": "no"}], slots={"kb_last": chunk.chunk_id},
    )  # fmt: skip
    assert dispatcher.messages[0]["text"] == conversation.SORRY_NOT_HELPFUL
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_human"
    raw = (tmp_path / "feedback.db").read_bytes()
    assert b"/feedback" not in raw
