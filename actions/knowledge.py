"""Answering questions from the knowledge base, always with the source.

Answers are extractive (sentences of our articles, never generated), cite the
article and section, and offer "tell me more" and related sections. When
nothing in the knowledge base is close enough, PeerPath says so plainly
instead of showing an unrelated passage.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import numpy as np
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import continuation, followups, gaps, metrics, ordinals
from actions.reading import list_item, on_a_list, read_on
from actions.services import Knowledge, knowledge
from actions.showing import (
    TELL_ME_MORE_BUTTON,
    flow_buttons,
    no_answer,
    related_buttons,
    show_passage,
    show_sources,
)
from actions.speaking import language_of
from peerpath.asking import beside_request
from peerpath.protocol import (
    MessageMeta,
    Safety,
)
from peerpath.search.answers import (
    answer_units,
    focus_units,
    lacks_exact_fact,
)
from peerpath.search.chunking import Passage
from peerpath.search.index import Hit
from peerpath.search.lexical import tokens

logger = logging.getLogger(__name__)

# Topic intents (data/nlu/topics.yml) and the knowledge topic each favours.
TOPIC_BY_INTENT = {
    "ask_role": "role",
    "ask_competencies": "competencies",
    "ask_training": "training",
    "ask_benefits": "benefits",
    "ask_wages": "wages",
    "ask_careers": "careers",
    "ask_supervision": "supervision",
    "ask_wellness": "wellness",
    "ask_telehealth": "telehealth",
    "ask_employers": "employers",
    "ask_coalition": "coalition",
    "find_resource": "resources",
}
# What a button that sends only an intent (e.g. "/ask_wages") is asking.
TOPIC_QUESTIONS = {
    "role": "What does a vocational peer specialist do?",
    "competencies": "What are the core competencies of peer workers?",
    "training": "How long does peer specialist training take and what should it cover?",
    "benefits": "Can I work while getting disability benefits?",
    "wages": "What do peer specialists earn?",
    "careers": "What does a career ladder for peer specialists look like?",
    "supervision": "Who should supervise peer specialists?",
    "wellness": "What makes a workplace support peer specialists' wellness?",
    "telehealth": "What skills and equipment do peer specialists need for telehealth?",
    "employers": "How should an organization prepare to add peer specialists?",
    "coalition": "What is the Wellness Workforce Coalition?",
    "resources": "Where can I find peer support resources?",
}
# Who is asking (the `role` slot) -> the `audience` of passages to favour.
AUDIENCE_BY_ROLE = {
    "job_seeker": "job-seeker",
    "peer_specialist": "peer-specialist",
    "counselor": "counselor",
    "employer": "employer",
}

IPS_QUESTION = '"IPS" can mean two different things in peer support. Which one do you mean?'
IPS_BUTTONS = [
    {
        "title": "Intentional Peer Support (a peer training)",
        "payload": "What is Intentional Peer Support?",
    },
    {
        "title": "Individual Placement and Support (a job program)",
        "payload": "What is Individual Placement and Support?",
    },
]
IPS_BARE = re.compile(r"\bips\b", re.IGNORECASE)
IPS_CLEAR = re.compile(
    r"intentional|placement|individuali[sz]ed|supported employment|evidence.based employ",
    re.IGNORECASE,
)
IPS_MEANINGS = (r"intentional peer support", r"individual(i[sz]ed)? placement and support")
# A message the NLU found off-topic is answered when search matches it this much above
# the usual bar: the NLU's off-topic examples score below 0.26, in-scope questions'
# 5th percentile is 0.44 (dev set), the bar 0.40.
OFF_TOPIC_MARGIN = 0.10


# vocational peer support compared with IPS: the employment model is meant
IPS_BESIDE_VPS = re.compile(
    r"\b(vocational\s+peer|vps)\b.*\b(differ\w*|compare\w*|vs\.?|versus|same|like)\b|"
    r"\b(differ\w*|compare\w*|vs\.?|versus)\b.*\b(vocational\s+peer|vps)\b",
    re.IGNORECASE,
)


def ambiguous_ips(text: str) -> bool:
    """'IPS' on its own, with nothing saying which of its two meanings."""
    return (
        bool(IPS_BARE.search(text))
        and not IPS_CLEAR.search(text)
        and not IPS_BESIDE_VPS.search(text)
    )


def names_both_ips(passage: Passage) -> bool:
    """A section that explains both meanings of 'IPS' answers a bare 'what is IPS?'."""
    return all(re.search(name, passage.text, re.IGNORECASE) for name in IPS_MEANINGS)


def question_for(text: str, intent: str) -> str:
    """The question to search for: the person's words, or a button's topic question."""
    text = text.strip()
    if not text or text.startswith("/"):
        topic = TOPIC_BY_INTENT.get(intent, "")
        return TOPIC_QUESTIONS.get(topic, "")
    return text


def with_role_said(kb: Knowledge, tracker: Tracker, text: str, rest: str, role: str) -> str:
    """The words to search when a role comes with a question: the whole message, or the
    question without the role statement, whichever search matches better for that
    audience. ("im a vr counselor - what's the difference ...": the words "vr counselor"
    would pull towards the VR sections; "as an employer how can we make peer jobs
    better": "employer" helps.)"""
    audience = AUDIENCE_BY_ROLE.get(role)
    boost = [audience] if audience else []

    def best(query: str, vector: np.ndarray) -> float:
        hits = kb.index.search(query, 1, boost_audiences=boost, vector=vector)
        return hits[0].score if hits else 0.0

    whole = best(text, kb.vector(text, tracker.latest_message))
    return rest if best(rest, kb.vector(rest)) >= whole else text


def short_units(kb: Knowledge, passage: Passage, question: str, vector: np.ndarray) -> list[int]:
    """The sentences of `passage` that answer `question` (answers.answer_units)."""
    return answer_units(passage, vector, kb.index.sentence_vectors(passage.chunk_id), question)


async def answer(
    dispatcher: CollectingDispatcher,
    kb: Knowledge,
    tracker: Tracker,
    question: str,
    topic: str | None = None,
    role: str | None = None,
    off_topic: bool = False,
    aside: bool = False,
) -> list[dict[str, Any]] | None:
    """Answers `question` from the knowledge base in the context of the conversation.

    The person's words alone, or joined with the previous question when they
    lean on it (followups.py); the best passage by search's own ranking, the
    person's audience favoured, the intent's topic breaking near-ties only.
    "Who wrote that?" gets the last answer's sources. A bare "IPS" gets the
    section that tells its two meanings apart with a button for each, or, when
    search's best section explains only one, the question which is meant.
    With `off_topic` (the NLU found the message off-topic), it answers only a
    follow-up that finds its answer, or a question search matches clearly
    (OFF_TOPIC_MARGIN above the usual bar), and returns None otherwise.
    An `aside` (a question said beside a request for a person) is answered without
    "Was this helpful?", and only when search finds it: else None, nothing said.
    """
    meta = MessageMeta.from_metadata(tracker.latest_message.get("metadata"))
    if meta is not None and meta.safety == Safety.SENSITIVE:
        question = followups.without_disclosure(question)
    previous = tracker.get_slot("kb_question")
    fixed = followups.corrected(previous or "", question)
    if fixed is not None:  # "no, i meant vermont": the last question, corrected, anew
        question, previous = fixed, None
    last = kb.index.passage(tracker.get_slot("kb_last") or "")
    if last is not None and followups.asks_for_source(question):
        show_sources(dispatcher, kb, last)
        return []
    if last is not None and on_a_list(last, tracker.get_slot("kb_shown"), question):
        return read_on(dispatcher, kb, tracker)  # "ok the next one", however the NLU read it
    ips_unclear = ambiguous_ips(question) and not (
        previous and followups.looks_like_follow_up(question)
    )
    role = role or tracker.get_slot("role")
    audience = AUDIENCE_BY_ROLE.get(role or "")
    started = time.perf_counter()

    lang = language_of(tracker)
    languages = [lang]

    def search(query: str, vector: np.ndarray) -> list[Hit]:
        with metrics.SEARCH_SECONDS.time():
            hits = kb.index.search(
                query,
                6,
                boost_audiences=[audience] if audience else [],
                vector=vector,
                kind_of=question,  # a joined follow-up asks what its own words ask
                languages=languages,
            )
        return followups.tie_break(hits, topic)

    vector = kb.vector(question, tracker.latest_message)
    ordinal = ordinals.ordinal_asked(question)
    if ordinal is not None:  # "what is priority 7?": that item of the list that has it
        listed = await asyncio.to_thread(
            list_item, dispatcher, kb, question, vector, ordinal, lang, aside
        )
        if listed is not None:
            return listed
    alone = followups.own_heading_first(await asyncio.to_thread(search, question, vector), question)
    together: list[Hit] = []
    leaning = followups.leans_on_previous if off_topic else followups.looks_like_follow_up
    if previous and leaning(question):
        query = followups.joined(previous, question)
        together = await asyncio.to_thread(search, query, kb.vector(query))
    choice = followups.choose(
        question,
        alone,
        previous or "",
        together,
        tracker.get_slot("kb_last"),
        floor=kb.settings.search.min_score,
    )
    if choice.followed and last is not None and together[0].passage.chunk_id == last.chunk_id:
        # the follow-up is about the section just shown: one sentence of it may answer
        # ("what about in new york?"), shown or not
        shown = [i for i in tracker.get_slot("kb_shown") or [] if isinstance(i, int)]
        sentences = kb.index.sentence_vectors(last.chunk_id)
        new_words = frozenset(tokens(question)) - frozenset(tokens(previous or ""))
        more = focus_units(last, vector, sentences, shown, new_words, question)
        if more:
            buttons = [] if aside else [TELL_ME_MORE_BUTTON, *flow_buttons(last)]
            show_passage(dispatcher, kb, last, more, buttons, question, lang, not aside)
            return [
                SlotSet("kb_shown", sorted({*shown, *more})),
                SlotSet("kb_question", choice.query),
            ]
    hits = choice.hits
    threshold = kb.settings.search.min_score
    best = hits[0] if hits else None
    if lang != "en" and (best is None or best.score < threshold):
        # nothing in the conversation's language: the English article, said to be English
        languages = ["en"]
        hits = await asyncio.to_thread(search, question, vector)
        best = hits[0] if hits else None
    logger.info(
        "answer.search conv=%s top_score=%.3f followed=%s ms=%.0f",
        tracker.sender_id, best.score if best else 0.0, choice.followed,
        (time.perf_counter() - started) * 1000,
    )  # fmt: skip
    if off_topic and not choice.followed:
        threshold += OFF_TOPIC_MARGIN
    if ips_unclear and (best is None or best.score < threshold or not names_both_ips(best.passage)):
        dispatcher.utter_message(text=IPS_QUESTION, buttons=IPS_BUTTONS)
        return []
    if (off_topic or aside) and (best is None or best.score < threshold):
        return None
    if best is None or best.score < threshold:
        await gaps.count(kb, "no_answer", best, topic)
        return no_answer(dispatcher, best, threshold)
    further = [h.passage for h in hits[1:] if h.score >= threshold]
    # "tell me more" stays in the answer's article while it has more that matches
    further.sort(key=lambda p: p.doc_id != best.passage.doc_id)
    queue = [p.chunk_id for p in further]
    if aside:  # the hand-off offer's buttons come next
        buttons = []
    elif ips_unclear:  # the section tells the two meanings apart; a tap picks one
        buttons = list(IPS_BUTTONS)
    else:
        buttons = [TELL_ME_MORE_BUTTON]
        buttons += related_buttons(hits, best.passage, threshold)
        buttons += flow_buttons(best.passage)
    shown_vector = vector if not choice.followed else kb.vector(choice.query)
    shown = short_units(kb, best.passage, choice.query, shown_vector)
    show_passage(dispatcher, kb, best.passage, shown, buttons, question, lang, not aside)
    gap = gaps.kind_of_answer(best, threshold, lacks_exact_fact(question, best.passage.text))
    if gap is not None:
        await gaps.count(kb, gap, best, topic)
    return [
        SlotSet("kb_shown", shown),
        SlotSet("kb_queue", queue),
        SlotSet("kb_last", best.passage.chunk_id),
        SlotSet("kb_question", choice.query),
    ]


class ActionAnswerQuestion(Action):
    """Answers a question from the knowledge base, with its source, or says it can't.

    A role said on the way ("as an employer, how do I ...") is remembered and
    used for the answer.
    """

    def __init__(self, kb: Knowledge | None = None) -> None:
        self._kb = kb

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = self._kb or knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        question = question_for(tracker.latest_message.get("text") or "", intent)
        if not question:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        said = followups.role_said(question)
        role = said.role if said else None
        if said is not None and followups.is_question(said.rest):
            question = await asyncio.to_thread(
                with_role_said, kb, tracker, question, said.rest, said.role
            )
        topic = TOPIC_BY_INTENT.get(intent)
        events = await answer(dispatcher, kb, tracker, question, topic, role) or []
        return ([SlotSet("role", role)] if role else []) + events


class ActionAnswerBesideRequest(Action):
    """A question said with a request for a person ("what's the pay like? also can i talk
    to someone") is answered before the hand-off offer, when search finds its answer:
    the person asked both. A request alone says nothing here."""

    def __init__(self, kb: Knowledge | None = None) -> None:
        self._kb = kb

    def name(self) -> str:
        return "action_answer_beside_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = beside_request(tracker.latest_message.get("text") or "")
        if not followups.is_question(question):
            return []
        kb = self._kb or knowledge()
        return await answer(dispatcher, kb, tracker, question, aside=True) or []


class ActionTellMeMore(Action):
    """Goes on reading in document order (continuation.py): the rest of the section just
    shown, then the next section of its article, then the next good section for the
    question. "Tell me more about X" is a question of its own."""

    def __init__(self, kb: Knowledge | None = None) -> None:
        self._kb = kb

    def name(self) -> str:
        return "action_tell_me_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = self._kb or knowledge()
        subject = continuation.own_subject(tracker.latest_message.get("text") or "")
        if subject is not None:
            return await answer(dispatcher, kb, tracker, subject) or []
        return read_on(dispatcher, kb, tracker)
