"""How an answer is shown: its sentences, where they come from, the benefits note, and
the buttons that go further; and the honest "I don't have that".

Every channel renders the same messages: the text, then a `sources` entry that
links the article and section, then "Was this helpful?".
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import followups
from actions.conversation import FEEDBACK_BUTTONS, FEEDBACK_QUESTION
from actions.services import Knowledge
from peerpath.catalogue import tr
from peerpath.protocol import HELP, PEER_BUTTON, TELL_ME_MORE, Intent, MessageKind, payload
from peerpath.search.answers import (
    is_own_question,
    lacks_exact_fact,
    render,
    units,
    without_verdict,
)
from peerpath.search.chunking import Passage
from peerpath.search.index import Hit

NO_ANSWER = (
    "I'm sorry, I don't have that in my resources, and I'd rather say so than guess. "
    "I know about peer support work: the vocational peer specialist role, trainings "
    "and certification, wages and careers, and working while on benefits."
)

NO_ANSWER_BUTTONS = [
    PEER_BUTTON.to_dict(),
    {"title": "Show the menu", "payload": HELP},
]

TELL_ME_MORE_BUTTON = {"title": "Tell me more", "payload": TELL_ME_MORE}

BENEFITS_CHECK_BUTTON = {
    "title": "Check my benefits step by step",
    "payload": payload(Intent.START_BENEFITS_CHECK),
}

TRAINING_FINDER_BUTTON = {
    "title": "Find a training near me",
    "payload": payload(Intent.FIND_TRAINING),
}

NEAR_MISS = "The closest thing I have is this section. Want to see it?"

NOTHING_MORE = "That's everything I have on this. Would you like to look at something else?"

BENEFITS_NOTE = (
    "This is general information, not legal or financial advice, and I can't say what "
    "it means for your own benefits. A free benefits counselor can: {contact}."
)

COUNSELOR_NOTE = "A free benefits counselor can look at your own situation: {contact}."

ASK_FOR_WIPA = "ask Social Security about WIPA benefits counseling"

# an answer that already says it is general information (English and Spanish articles)
GENERAL_INFORMATION_SAID = ("not legal or financial advice", "no es asesoría legal ni financiera")

FROM_SECTION = "From: {title}, “{heading}”"

FROM_DOCUMENT = "From: {title}"

# a document as it came, not an article of ours: its own words, under its own title
QUOTED_SECTION = "From the document “{title}”, “{heading}”:"

QUOTED_DOCUMENT = "From the document “{title}”:"

ONLY_IN_ENGLISH = "I have this only in English for now:"
# the question asks a name, a year or a count the closest section doesn't hold
NOT_EXACTLY = "My resources don't give that exact detail. This is the closest I have:"

NEAR_MISS_MARGIN = 0.10

MAX_RELATED = 2


def source_of(kb: Knowledge, passage: Passage) -> dict[str, str]:
    """The `sources` entry every channel renders as a link."""
    return {
        "title": passage.title,
        "section": passage.heading,
        "url": kb.source_url(passage.doc_id, passage.anchor),
        "doc": passage.doc_id,
        "chunk_id": passage.chunk_id,
    }


def quoted_line(passage: Passage, lang: str = "en") -> str:
    if passage.heading and passage.heading != passage.title:
        return tr(lang, QUOTED_SECTION, title=passage.title, heading=passage.heading)
    return tr(lang, QUOTED_DOCUMENT, title=passage.title)


def from_line(passage: Passage, lang: str = "en") -> str:
    if passage.heading:
        return tr(lang, FROM_SECTION, title=passage.title, heading=passage.heading)
    return tr(lang, FROM_DOCUMENT, title=passage.title)


def benefits_note(kb: Knowledge, answer: str, lang: str = "en") -> str:
    """Benefits answers always say what they are not, and where real help is."""
    wipa = kb.directory.get("wipa")
    contact = wipa.contact_line() if wipa else tr(lang, ASK_FOR_WIPA)
    said = any(phrase in answer for phrase in GENERAL_INFORMATION_SAID)
    return tr(lang, COUNSELOR_NOTE if said else BENEFITS_NOTE, contact=contact)


def answer_text(
    kb: Knowledge,
    passage: Passage,
    shown: list[int],
    question: str | None = None,
    lang: str = "en",
) -> str:
    """The passage's `shown` sentences, its source line, and the benefits note where it
    applies. Answering a `question` that is not the section's own, a leading bare "Yes."
    or "No." is left out: it answered the section's question, not this one. A passage
    in another language than the conversation's says so first."""
    answer = render(units(passage.text), shown)
    if question is not None and not is_own_question(question, passage.heading or ""):
        answer = without_verdict(answer)
    if passage.quoted:
        parts = [quoted_line(passage, lang), f"“{answer}”"]
    else:
        parts = [answer, from_line(passage, lang)]
    if question is not None and lacks_exact_fact(question, passage.text):
        parts.insert(0, tr(lang, NOT_EXACTLY))
    if passage.lang != lang:
        parts.insert(0, tr(lang, ONLY_IN_ENGLISH))
    if "benefits" in passage.topics:
        parts.append(benefits_note(kb, answer, lang))
    return "\n\n".join(parts)


def related_buttons(hits: list[Hit], shown: Passage, threshold: float) -> list[dict[str, str]]:
    """Other good sections as buttons; tapping one asks its heading as a question."""
    buttons: list[dict[str, str]] = []
    for hit in hits:
        passage = hit.passage
        if hit.score < threshold or passage.chunk_id == shown.chunk_id or not passage.heading:
            continue
        if passage.heading == shown.heading or any(
            b["payload"] == passage.heading for b in buttons
        ):
            continue
        buttons.append({"title": passage.heading, "payload": passage.heading})
        if len(buttons) == MAX_RELATED:
            break
    return buttons


def show_passage(
    dispatcher: CollectingDispatcher,
    kb: Knowledge,
    passage: Passage,
    shown: list[int],
    buttons: list[dict[str, str]],
    question: str | None = None,
    lang: str = "en",
    ask_feedback: bool = True,
) -> None:
    """The passage's `shown` sentences with their source, then 'Was this helpful?'."""
    dispatcher.utter_message(
        text=answer_text(kb, passage, shown, question, lang),
        buttons=buttons,
        json_message={"kind": MessageKind.ANSWER, "sources": [source_of(kb, passage)]},
    )
    if ask_feedback:
        dispatcher.utter_message(text=FEEDBACK_QUESTION, buttons=FEEDBACK_BUTTONS)


def show_sources(dispatcher: CollectingDispatcher, kb: Knowledge, passage: Passage) -> None:
    """Where the last answer comes from: our article and section, and the works it cites."""
    cited = followups.citations(passage.text)
    what = "the document" if passage.quoted else "our article"
    text = f"That answer is from {what} “{passage.title}”"
    text += f", the section “{passage.heading}”." if passage.heading else "."
    if cited:
        text += " That section draws on " + "; ".join(cited) + "."
    dispatcher.utter_message(
        text=text,
        json_message={"kind": MessageKind.ANSWER, "sources": [source_of(kb, passage)]},
    )


def flow_buttons(passage: Passage) -> list[dict[str, str]]:
    """After a direct answer, the guided flow that goes further, as a button."""
    if "benefits" in passage.topics:
        return [BENEFITS_CHECK_BUTTON]
    if "training" in passage.topics:
        return [TRAINING_FINDER_BUTTON]
    return []


def no_answer(
    dispatcher: CollectingDispatcher, best: Hit | None, threshold: float
) -> list[dict[str, Any]]:
    """Says plainly there is no answer, offers a peer, and the closest section if near."""
    dispatcher.utter_message(text=NO_ANSWER, buttons=NO_ANSWER_BUTTONS)
    if best is not None and best.score >= threshold - NEAR_MISS_MARGIN and best.passage.heading:
        heading = best.passage.heading
        dispatcher.utter_message(text=NEAR_MISS, buttons=[{"title": heading, "payload": heading}])
    return [
        SlotSet("kb_queue", []),
        SlotSet("kb_last", None),
        SlotSet("kb_question", None),
        SlotSet("kb_shown", None),
    ]
