"""Short extractive answers: the one to three sentences of a passage that answer.

No generative model: every word shown comes from the passage, so an answer
is always traceable to its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from peerpath.search.chunking import Passage
from peerpath.search.lexical import tokens

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(]?[A-Z0-9$])")
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
MAX_SENTENCES = 3
MAX_WORDS = 75
MAX_LIST_ITEMS = 14


# A sentence split off after "... less. (Reuling, 2024) The gap ...": its leading
# parenthesis is the citation of the sentence before.
LEADING_CITATION = re.compile(r"^(\([^()]*\)[.]?)\s*(.*)$", re.DOTALL)


def _open_quote(text: str) -> bool:
    """Whether `text` leaves a quotation open: a title quoted with its own full stop
    ('a report, "Listening to the Peer Support Workforce. Top Ten Priorities"')."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _outside_quotes(pieces: Iterable[str]) -> Iterator[str]:
    """Sentence pieces joined again where a split fell inside quotation marks."""
    held = ""
    for piece in pieces:
        held = f"{held} {piece}" if held else piece
        if not _open_quote(held):
            yield held
            held = ""
    if held:
        yield held


def units(text: str) -> list[str]:
    """A passage as sentences, keeping list items (one per line) whole, and a citation
    that follows a sentence ("(Reuling, Cronise & Wolf, 2024)") with that sentence."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if LIST_ITEM.match(line):
            out.append(line)
            continue
        for sentence in _outside_quotes(s.strip() for s in SENTENCE_END.split(line)):
            cited = LEADING_CITATION.match(sentence)
            # a citation alone after a list goes with its last item
            if cited and out and (not LIST_ITEM.match(out[-1]) or not cited.group(2)):
                out[-1] = f"{out[-1]} {cited.group(1)}"
                sentence = cited.group(2)
            if sentence:
                out.append(sentence)
    return out


# What a question asks for, and how to tell a sentence that carries it.
_ASKS_WHO = re.compile(
    r"^\W*(who|whose|whom)\b|\bwho\s+(wrote|created|founded|started|runs|leads|made|developed|"
    r"authored|is\s+behind)\b|\b(authors?|founders?|creators?)\b",
    re.IGNORECASE,
)
_ASKS_WHEN = re.compile(
    r"\bwhen\b|\b(what|which)\s+year\b|\bhow\s+long\s+ago\b|\bwhat\s+date\b", re.IGNORECASE
)
_ASKS_NUMBER = re.compile(
    r"\bhow\s+(many|much|long|old|often)\b|\bwhat\s+(percent|percentage|share|number|rate|amount)\b|"
    r"\b(pay|paid|salary|wages?|earn\w*|cost|costs|hourly|per\s+hour|yearly|annual(ly)?)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=\w )(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ -](?:[A-Z]\.|[A-Z][a-z]+|[A-Z]{2,}))+")
_DATE = re.compile(
    r"\b(1[89]|20)\d\d\b|\b(January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\b"
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|half|percent)\b",
    re.IGNORECASE,
)


# a citation in parentheses, "(Reuling, Cronise & Wolf, 2024)": its names and year say
# where a sentence comes from, not what it says
_CITED = re.compile(r"\([^()]*\b(19|20)\d\d[a-z]?\)")


def answer_bearing(question: str) -> Callable[[str], bool] | None:
    """What a sentence must carry to answer `question`: a name, a date, a number; or None.
    A citation's names and year don't count."""
    if _ASKS_WHO.search(question):
        wanted = _NAME
    elif _ASKS_WHEN.search(question):
        wanted = _DATE
    elif _ASKS_NUMBER.search(question):
        wanted = _NUMBER
    else:
        return None
    return lambda sentence: bool(wanted.search(_CITED.sub(" ", sentence)))


# A question that asks for one exact fact, in so many words: who, in what year, how
# many. (Not "when should I tell my boss": that asks how, not a date.)
_ASKS_EXACT = (
    (re.compile(r"\bwho\s+(wrote|founded|started|leads|runs|made|created|funded|designed|"
                r"published|directs|chairs)\b|\bwho\s+(is|was)\s+(the\s+)?(author|founder|"
                r"director|head|chair|leader)s?\b", re.IGNORECASE), _NAME),
    (re.compile(r"\bwhen\s+(was|were|did|will)\b|\b(what|which)\s+year\b|\bsince\s+when\b",
                re.IGNORECASE), _DATE),
    (re.compile(r"\bhow\s+many\b|\bwhat\s+(percent|percentage)\b", re.IGNORECASE), _NUMBER),
)  # fmt: skip


def lacks_exact_fact(question: str, text: str) -> bool:
    """Whether `question` asks for a name, a year or a count in so many words and
    `text` (a whole section) holds none, its citations aside: the section is the
    closest there is, not the answer."""
    plain = _CITED.sub(" ", text)
    return any(ask.search(question) and not fact.search(plain) for ask, fact in _ASKS_EXACT)


def _words(items: list[str]) -> int:
    return sum(len(item.split()) for item in items)


def prose_sentences(text: str) -> list[str]:
    """A passage's sentences that are not list items: what short_answer picks from.

    Their vectors are computed when the index is built and saved with it.
    """
    return [part for part in units(text) if not LIST_ITEM.match(part)]


def short_answer(
    passage: Passage, query_vector: np.ndarray, sentence_vectors: np.ndarray, question: str = ""
) -> str:
    """The passage's lead sentence plus the sentence closest to the question (answer_units)."""
    return render(
        units(passage.text), answer_units(passage, query_vector, sentence_vectors, question)
    )


def answer_units(
    passage: Passage, query_vector: np.ndarray, sentence_vectors: np.ndarray, question: str = ""
) -> list[int]:
    """Which of the passage's units (sentences, list items) a short answer shows, in order.

    Knowledge articles open each section with its direct answer; for other
    documents (PDFs, raw text) the sentence most like the question matters
    more, so both are kept, in document order, within three sentences. A
    question for a who, a when or a how many also keeps a sentence that
    carries a name, a date or a number (the closest such one). A sentence that
    introduces a list (ends with ':') brings its list along.
    """
    parts = units(passage.text)
    if not parts:
        return []
    prose = [i for i, part in enumerate(parts) if not LIST_ITEM.match(part)]
    chosen: list[int] = [prose[0]] if prose else [0]
    closeness = sentence_vectors @ query_vector if len(prose) > 1 else np.zeros(len(prose))
    if len(prose) > 1:
        best = prose[int(np.argmax(closeness))]
        if best not in chosen:
            chosen.append(best)
    bearing = answer_bearing(question)
    if bearing and not any(bearing(parts[i]) for i in chosen):
        carriers = [n for n, i in enumerate(prose) if bearing(parts[i])]
        if carriers:
            chosen.append(prose[max(carriers, key=lambda n: closeness[n])])
    # Fill up with following sentences while short, to read as a whole thought.
    nxt = chosen[0] + 1
    while (
        len(chosen) < MAX_SENTENCES
        and nxt < len(parts)
        and not LIST_ITEM.match(parts[nxt])
        and _words([parts[i] for i in chosen] + [parts[nxt]]) <= MAX_WORDS
    ):
        if nxt not in chosen:
            chosen.append(nxt)
        nxt += 1
    return [i for index in sorted(set(chosen[:MAX_SENTENCES])) for i in _with_list(parts, index)]


def _with_list(parts: list[str], index: int) -> list[int]:
    """Unit `index`, and the list items it introduces when it ends with ':'."""
    chosen = [index]
    if parts[index].endswith(":"):
        follower = index + 1
        while (
            follower < len(parts)
            and LIST_ITEM.match(parts[follower])
            and follower - index <= MAX_LIST_ITEMS
        ):
            chosen.append(follower)
            follower += 1
    return chosen


def render(parts: list[str], indices: list[int]) -> str:
    """The chosen units as text: the prose as one paragraph, then any list items, a line each."""
    lines = [parts[i] for i in indices if 0 <= i < len(parts)]
    lead = " ".join(line for line in lines if not LIST_ITEM.match(line))
    items = [line for line in lines if LIST_ITEM.match(line)]
    return "\n".join([lead, *items] if lead else items) if items else lead


def focus_units(
    passage: Passage,
    query_vector: np.ndarray,
    sentence_vectors: np.ndarray,
    shown: list[int],
    new_words: frozenset[str] = frozenset(),
    question: str = "",
) -> list[int]:
    """For a follow-up on the section just shown ("what about in new york?"), the one
    sentence of it that answers (with the list it introduces): the sentence closest to
    the follow-up's words when the short answer left it out, or when it holds one of the
    follow-up's `new_words` (lexical.tokens the previous question did not have). Else
    nothing: the follow-up is about something this section doesn't say.

    A follow-up that asks for a name, a date or a number ("when was it published?",
    "who leads it?") is answered by the closest sentence that carries one, shown
    before or not: the person asked for that one fact."""
    parts = units(passage.text)
    prose = [i for i, part in enumerate(parts) if not LIST_ITEM.match(part)]
    if len(prose) != len(sentence_vectors) or not prose:
        return []
    closeness = sentence_vectors @ query_vector
    bearing = answer_bearing(question) if question else None
    if bearing is not None:
        carrying = [n for n, i in enumerate(prose) if bearing(parts[i])]
        if carrying:
            return _with_list(parts, prose[max(carrying, key=lambda n: closeness[n])])
    index = prose[int(np.argmax(closeness))]
    if index in set(shown) and not new_words & set(tokens(parts[index])):
        return []
    return _with_list(parts, index)


_VERDICT = re.compile(r"^(yes|no)\b\s*[.,!;:]?\s*", re.IGNORECASE)
OWN_QUESTION_OVERLAP = 0.75
OWN_HEADING_SHARE = 0.75


def is_own_question(question: str, heading: str) -> bool:
    """Whether the person asks the section's own question (its heading): most of the
    question's words are the heading's, and most of the heading's are the question's."""
    asked, own = set(tokens(question)), set(tokens(heading))
    if not asked or not own:
        return False
    shared = len(asked & own)
    return shared / len(asked) >= OWN_QUESTION_OVERLAP and shared / len(own) >= OWN_HEADING_SHARE


def without_verdict(text: str) -> str:
    """`text` without a leading bare "Yes." or "No.": a verdict answers the section's own
    question, and may contradict another one ("can I work as a peer on SSI?" answered
    from a section whose question was different)."""
    match = _VERDICT.match(text)
    if match is None or not text[match.end() :].strip():
        return text
    rest = text[match.end() :]
    return rest[:1].upper() + rest[1:]
