"""Reading on: "tell me more", "next one", "keep going", and an item of a list asked by
its place ("priority 7"). The order is continuation.py's; the lists are ordinals.py's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import continuation, ordinals
from actions.services import Knowledge
from actions.showing import NOTHING_MORE, TELL_ME_MORE_BUTTON, related_buttons, show_passage
from actions.speaking import language_of
from peerpath import continuing
from peerpath.search.answers import LIST_ITEM, units
from peerpath.search.chunking import Passage
from peerpath.search.index import Hit
from peerpath.search.lexical import tokens


def on_a_list(last: Passage, shown: Any, text: str) -> bool:
    """A few words that go on along the list whose items were just shown ("ok the next
    one", "and the others?")."""
    items = set(ordinals.list_items(last.text))
    return (
        bool(shown)
        and set(shown) <= items
        and len(tokens(text)) <= 3
        and continuing.reading(text) in ("next", "on")
    )


def about_item(kb: Knowledge, passage: Passage, unit: int, lang: str) -> list[Hit]:
    """Other sections that say more about one item of a passage's list."""
    item = units(passage.text)[unit]
    threshold = kb.settings.search.min_score
    return [
        hit
        for hit in kb.index.search(item, 6, vector=kb.vector(item), languages=[lang])
        if hit.passage.chunk_id != passage.chunk_id and hit.score >= threshold
    ]


def list_item(
    dispatcher: CollectingDispatcher,
    kb: Knowledge,
    question: str,
    vector: np.ndarray,
    ordinal: ordinals.Ordinal,
    lang: str,
    aside: bool = False,
) -> list[dict[str, Any]] | None:
    """The item a question names by its place in a list, with the sections that say more
    about it as buttons and as what "tell me more" reads; None when no list has it."""
    hits = kb.index.search(question, 20, vector=vector, languages=[lang])
    found = ordinals.list_answer(kb.index.passages, hits, ordinal, [lang])
    if found is None:
        return None
    passage, unit = found
    about = about_item(kb, passage, unit, lang)
    threshold = kb.settings.search.min_score
    buttons = [] if aside else [TELL_ME_MORE_BUTTON, *related_buttons(about, passage, threshold)]
    show_passage(dispatcher, kb, passage, [unit], buttons, question, lang, not aside)
    return [
        SlotSet("kb_shown", [unit]),
        SlotSet("kb_queue", [h.passage.chunk_id for h in about]),
        SlotSet("kb_last", passage.chunk_id),
        # what a follow-up ("what does that mean?") is about: the item, not "the third"
        SlotSet("kb_question", LIST_ITEM.sub("", units(passage.text)[unit])),
    ]


# the rest of a section shorter than this comes with the next section
THIN_WORDS = 25


def words(parts: list[str]) -> int:
    return sum(len(part.split()) for part in parts)


def read_on(
    dispatcher: CollectingDispatcher, kb: Knowledge, tracker: Tracker
) -> list[dict[str, Any]]:
    """The next part in document order (continuation.next_part), shown."""
    last = kb.index.passage(tracker.get_slot("kb_last") or "")
    shown = [i for i in tracker.get_slot("kb_shown") or [] if isinstance(i, int)]
    queue = [c for c in (tracker.get_slot("kb_queue") or []) if kb.index.passage(c)]
    after = kb.index.neighbours(last.chunk_id)[1] if last is not None else None

    def count(chunk_id: str) -> int:
        passage = kb.index.passage(chunk_id)
        return len(units(passage.text)) if passage is not None else 0

    step = continuation.next_part(
        last.chunk_id if last is not None else None,
        shown,
        len(units(last.text)) if last is not None else 0,
        after.chunk_id if after is not None else None,
        count(after.chunk_id) if after is not None else 0,
        queue,
        {c: count(c) for c in queue},
        tuple(ordinals.list_items(last.text)) if last is not None else (),
        continuing.reading(tracker.latest_message.get("text") or ""),
    )
    passage = kb.index.passage(step.chunk_id) if step is not None else None
    if step is None or passage is None:
        dispatcher.utter_message(text=NOTHING_MORE)
        return [SlotSet("kb_queue", []), SlotSet("kb_last", None), SlotSet("kb_shown", None)]
    queue = [c for c in queue if c != passage.chunk_id]
    stepped = step.rest_of_section and len(step.units) == 1 and last is not None
    if stepped and last is not None and step.units[0] in ordinals.list_items(last.text):
        # the next item of a list: "tell me more" then reads what's about it
        about = about_item(kb, last, step.units[0], language_of(tracker))
        queue = [hit.passage.chunk_id for hit in about]
        subject = [SlotSet("kb_question", LIST_ITEM.sub("", units(last.text)[step.units[0]]))]
    else:
        subject = []
    shown = sorted({*shown, *step.units}) if step.rest_of_section else list(step.units)
    lang = language_of(tracker)
    rest = [units(passage.text)[i] for i in step.units]
    if step.rest_of_section and not subject and words(rest) < THIN_WORDS and after is not None:
        # what was left of the section is a line or two: the next section comes with it,
        # so "go on" always brings something of substance
        show_passage(dispatcher, kb, passage, list(step.units), [], None, lang, False)
        passage, shown = after, list(range(len(units(after.text))))
        queue = [c for c in queue if c != after.chunk_id]
        step = continuation.Next(after.chunk_id, tuple(shown), False)
    has_more = (
        len(shown) < len(units(passage.text))
        or kb.index.neighbours(passage.chunk_id)[1] is not None
        or bool(queue)
    )
    buttons = [TELL_ME_MORE_BUTTON] if has_more else []
    show_passage(dispatcher, kb, passage, list(step.units), buttons, None, lang)
    return [
        SlotSet("kb_shown", shown),
        SlotSet("kb_queue", queue),
        SlotSet("kb_last", passage.chunk_id),
        *subject,
    ]
