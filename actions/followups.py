"""Following the conversation: follow-ups, one ranking, and questions said with a role.

Pure functions over search hits and text, so the rules read as a table:

- A follow-up ("and how did that begin?", "hourly or yearly?", "what about
  part-timers?") is searched twice: its own words, and its words joined with
  the question before it. The better-scoring result wins; within a whisker,
  the previous article wins. A self-contained question scores better alone and
  starts fresh.
- One ranking: the answer is search's best passage for the query, with the
  person's audience favoured as /api/search would; the NLU intent's topic
  only breaks a near-tie.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from actions.parsing import STATES
from peerpath.corrections import correction
from peerpath.search.answers import answer_bearing, is_own_question
from peerpath.search.index import Hit
from peerpath.search.lexical import tokens

NEAR_TIE = 0.01  # the intent's topic may reorder only hits this close
OWN_HEADING_MARGIN = 0.05  # a section whose heading is the question wins within this much
JOINED_GAIN = 0.02  # the joined query must score this much better, unless it stays on topic
SAME_ARTICLE_MARGIN = 0.03  # a follow-up stays in the previous article within this much
MAX_CONTEXT_WORDS = 30

_LEADS = re.compile(
    r"^\W*(and|but|so|ok(ay)?|also|then|what\s+about|how\s+about|is\s+that|are\s+those|"
    r"is\s+it|are\s+they|why|how\s+come|really|wait|no|nah|not\s+that|i\s+mean(t)?|"
    r"what\s+i\s+mean(t)?|specifically|rather|instead)\b",
    re.IGNORECASE,
)
_POINTERS = re.compile(
    r"\b(that|it|its|they|them|their|this|those|these|there|he|she|his|her|him)\b", re.IGNORECASE
)
_WORD = re.compile(r"[\w'$%.]+")


def leans_on_previous(text: str) -> bool:
    """Says so: "and ...", "what about ...", "i mean ...", or points back ("that", "it")."""
    return bool(_LEADS.search(text)) or bool(_POINTERS.search(text))


def looks_like_follow_up(text: str) -> bool:
    """Short, or leaning on what came before."""
    return len(_WORD.findall(text)) <= 6 or leans_on_previous(text)


_SOURCE = re.compile(
    r"\bwho\s+(wrote|said|says|made|published|came\s+up\s+with|found|did)\s+(that|this|it|those)\b|"
    r"\bwhere\s+(is|does|did|do)\s+(that|this|it|those)\s+(come|comes|coming|came)\s+from\b|"
    r"\bwhere\s+(is|was)\s+(that|this|it)\s+from\b|"
    r"\b(what'?s|what\s+is|what\s+are)\s+(the|your|its)\s+sources?\b|"
    r"^\W*(sources?|citations?|says\s+who|according\s+to\s+(who|whom))\W*$",
    re.IGNORECASE,
)
_CITATION = re.compile(r"\(([^()]*?\b(?:19|20)\d\d[a-z]?)\)")


def asks_for_source(text: str) -> bool:
    """ "who wrote that?", "where does that come from?", "what's the source?" """
    return bool(_SOURCE.search(text))


def citations(text: str) -> list[str]:
    """The works a passage cites in parentheses, in order, each once: "Ashcraft & Anthony, 2007"."""
    seen: list[str] = []
    for match in _CITATION.finditer(text):
        cited = " ".join(match.group(1).split())
        if cited not in seen:
            seen.append(cited)
    return seen


def joined(previous: str, text: str) -> str:
    """The previous question and the follow-up, as one query (the last words kept)."""
    words = f"{previous} {text}".split()
    return " ".join(words[-MAX_CONTEXT_WORDS:])


def doc_of(chunk_id: str | None) -> str:
    return (chunk_id or "").split("#", 1)[0]


@dataclass(frozen=True)
class Choice:
    hits: list[Hit]
    query: str
    followed: bool  # whether the previous question was used


def choose(
    question: str,
    alone: list[Hit],
    previous: str,
    together: list[Hit],
    previous_chunk: str | None,
    floor: float = 0.0,
) -> Choice:
    """Alone or joined with the previous question: the better result, the previous article
    breaking a near-tie. A follow-up with words of its own (two or more besides question
    words) that find another section of the article just discussed, scoring at least
    `floor`, is answered from that section: "i mean the equipment side" after a
    telehealth answer is the telehealth equipment section, however the joined words rank."""
    if not together:
        return Choice(alone, question, False)
    if (
        alone
        and len(tokens(question)) >= 2
        and alone[0].score >= floor
        and alone[0].passage.doc_id == doc_of(previous_chunk)
        and alone[0].passage.chunk_id != previous_chunk
    ):
        return Choice(alone, question, False)
    if alone:
        gain = together[0].score - alone[0].score
        on_topic = together[0].passage.doc_id == doc_of(previous_chunk)
        if not (gain > JOINED_GAIN or (gain > -JOINED_GAIN and on_topic)):
            return Choice(alone, question, False)
    return Choice(onward(together, question, previous_chunk), joined(previous, question), True)


def onward(hits: list[Hit], question: str, previous_chunk: str | None) -> list[Hit]:
    """A follow-up's hits: the section just shown moves back (unless the question asks
    for a name, date or number it may hold), and the previous article wins near-ties."""
    if (
        len(hits) > 1
        and hits[0].passage.chunk_id == previous_chunk
        and answer_bearing(question) is None
    ):
        hits = [*hits[1:], hits[0]]
    article = doc_of(previous_chunk)
    if hits and hits[0].passage.doc_id != article:
        best = hits[0].score
        for i, hit in enumerate(hits[1:], start=1):
            if hit.score < best - SAME_ARTICLE_MARGIN:
                break
            if hit.passage.doc_id == article and hit.passage.chunk_id != previous_chunk:
                return [hit, *hits[:i], *hits[i + 1 :]]
    return hits


def tie_break(hits: list[Hit], topic: str | None) -> list[Hit]:
    """The intent's topic first, but only among hits within NEAR_TIE of the best."""
    if not topic or len(hits) < 2 or topic in hits[0].passage.topics:
        return hits
    best = hits[0].score
    for i, hit in enumerate(hits[1:], start=1):
        if hit.score < best - NEAR_TIE:
            break
        if topic in hit.passage.topics:
            return [hit, *hits[:i], *hits[i + 1 :]]
    return hits


def own_heading_first(hits: list[Hit], question: str) -> list[Hit]:
    """A section whose heading is the question asked goes first among hits within
    OWN_HEADING_MARGIN of the best: "what are the top ten priorities" is the section
    "What are the Top Ten Priorities?", though its ten items pull its vector elsewhere."""
    if len(hits) < 2 or is_own_question(question, hits[0].passage.heading or ""):
        return hits
    best = hits[0].score
    for i, hit in enumerate(hits[1:], start=1):
        if hit.score < best - OWN_HEADING_MARGIN:
            break
        if is_own_question(question, hit.passage.heading or ""):
            return [hit, *hits[:i], *hits[i + 1 :]]
    return hits


# Who is asking, said inside a question: "btw I'm a peer specialist now, can I move up?"
_ROLE_WORDS = [
    ("peer_specialist", r"(certified\s+)?(peer\s+(support\s+)?(specialist|worker|supporter|"
                        r"mentor|advocate)|recovery\s+coach|peer|cps|cprs)"),
    ("counselor", r"(vr|vocational\s+rehab(ilitation)?)\s+counselor|counselor|case\s+manager"),
    ("employer", r"employer|hiring\s+manager|manager|supervisor|business\s+owner|"
                 r"program\s+director|director|hr\s+person"),
    ("job_seeker", r"job\s*seeker|job\s+hunter"),
]  # fmt: skip
_ROLE = re.compile(
    r"(?P<lead>\b(btw|by\s+the\s+way|actually|so|ok|well|hi|hey)\W+)*"
    # "as a ..." names the asker only where the message opens with it ("as an employer,
    # how ..."), not inside a question ("how do i negotiate my salary as a peer")
    r"(\b(i'?m|im|i\s+am|i\s+work\s+as|i'?m\s+working\s+as)|^\W*as|(?<=speaking )as)"
    # one word may qualify the role: "a clinical director", "a new supervisor"
    r"\s+(now\s+)?(an?\s+)?((clinical|new|former|senior|lead|program|hr|county|state|"
    r"agency|retired|part[\s-]?time|full[\s-]?time|volunteer)\s+)?(?P<role>"
    + "|".join(f"(?P<{name}>{words})" for name, words in _ROLE_WORDS)
    + r")\b(\s+now)?"
    r"|\bi'?m\s+(?P<seeking>looking\s+for\s+(work|a\s+job)|job\s+hunting|trying\s+to\s+find\s+"
    r"(a\s+)?(job|work))\b"
    r"|\bi\s+(?P<supervising>supervise|manage|hire)\s+peers\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"\?|^\W*(what|how|where|when|who|why|which|is|are|can|could|do|does|did|should|will|would|"
    r"any|tell\s+me|i\s+need|i\s+want\s+to\s+know|looking\s+for|"
    r"qu[eé]|c[oó]mo|d[oó]nde|cu[aá]ndo|qui[eé]n|por\s*qu[eé]|cu[aá]nto|cu[aá]l|puedo|hay|"
    r"necesito|quiero\s+saber|busco)\b",
    re.IGNORECASE,
)


# what is left in front of the question once the role is taken out: "speaking , do ...",
# "actually. what ...", "- whats ..."
_REST_LEAD = re.compile(
    r"^[\s,.;:!-]*((and|so|but|also|actually|anyway|now|speaking|here)\b[\s,.;:!-]*)*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RoleSaid:
    role: str
    rest: str  # what else the message says, without the role statement


# The same in Spanish: "soy consejera de VR", "trabajo como especialista de pares",
# "estoy buscando chamba"
_ROLE_WORDS_ES = [
    ("peer_specialist", r"especialista\s+(de|en)\s+(apoyo\s+(entre|de)\s+)?pares|"
                        r"peer(\s+specialist)?|coach\s+de\s+recuperaci[oó]n|par\s+certificad[oa]"),
    ("counselor", r"consejer[oa](\s+de\s+(vr|rehabilitaci[oó]n(\s+vocacional)?))?|"
                  r"(manejador|administrador)(a)?\s+de\s+casos"),
    ("employer", r"empleador(a)?|patron(o|a)|supervisor(a)?|director(a)?|gerente|"
                 r"due[nñ]o\s+de\s+(un\s+)?negocio"),
]  # fmt: skip
_ROLE_ES = re.compile(
    r"(?P<lead>\b(hola|oye|bueno|pues|mira)\W+)*"
    r"\b(soy|trabajo\s+como|yo\s+soy)\s+(una?\s+)?(?P<role>"
    + "|".join(f"(?P<{name}>{words})" for name, words in _ROLE_WORDS_ES)
    + r")\b"
    r"|\b(estoy\s+buscando|busco|ando\s+buscando)\s+(?P<seeking>trabajo|empleo|chamba|jale)\b",
    re.IGNORECASE,
)


def role_said(text: str) -> RoleSaid | None:
    """The role a person names in `text` (English or Spanish), and the rest of the message."""
    match = _ROLE.search(text)
    names = _ROLE_WORDS
    if match is None:
        match, names = _ROLE_ES.search(text), _ROLE_WORDS_ES
    if match is None:
        return None
    groups = match.groupdict()
    if groups.get("seeking"):
        role = "job_seeker"
    elif groups.get("supervising"):
        role = "employer"
    else:
        role = next(name for name, _ in names if groups.get(name))
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    rest = _REST_LEAD.sub("", rest)
    return RoleSaid(role, rest.strip())


def is_question(text: str) -> bool:
    """Whether what remains of a message asks something (three words or more)."""
    return len(_WORD.findall(text)) >= 3 and bool(_QUESTION.search(text))


# A disclosure on the way to a question ("i had a suicide attempt in my past and im
# on ssdi now. can i work part time?"): the clause that tells the history, from its
# "i"/"my" to the next comma, stop or "and", so search reads the question.
_DISCLOSURE = re.compile(
    r"\b(i|i'?ve|ive|i\s+have|my)\b[^.,;!?]*?\b(suicid\w*|kill(ed|ing)?\s+(myself|himself|herself)|"
    r"end(ed)?\s+(my|his|her)\s+life|overdos\w*|od'?d|self[-\s]?harm\w*|cut\s+myself|"
    r"attempt(s|ed)?)\b[^.,;!?]*?(?=\s+(and|but|so)\b|[.,;!?]|$)",
    re.IGNORECASE,
)


def without_disclosure(text: str) -> str:
    """`text` without the clauses that tell a personal history of crisis, if a question
    of three words or more remains; else `text`. Used for messages the gateway graded
    `sensitive`, whose question is answered normally."""
    rest = _DISCLOSURE.sub(" ", text)
    rest = re.sub(r"^[\s,.;:!-]*(and|but|so)?[\s,.;:!-]*", "", rest, flags=re.IGNORECASE)
    rest = " ".join(rest.split())
    return rest if len(_WORD.findall(rest)) >= 3 else text


# A correction of the previous question (peerpath.corrections): "no, i meant vermont".
_NOT = re.compile(r"^(?P<fix>.+?)[\s,]+(not|instead\s+of|rather\s+than|no)\s+(?P<wrong>[\w' -]+)$",
                  re.IGNORECASE)  # fmt: skip
_SIMILAR = 0.6
_STATE_NAMES = frozenset(name.lower() for name in STATES.values())


# where a question names its document ("in the vermont coalition source"), and a fix
# that names another ("the 2007 'adding peers to the workforce' article")
_DOC_NOUNS = r"(article|source|report|document|paper|column|petition|agenda|study|text|piece)"
_DOCUMENT = re.compile(r"\s+(in|from|of|according\s+to)\s+(the|that|this)\s+.*?\b" + _DOC_NOUNS
                       + r"\b.*$", re.IGNORECASE)  # fmt: skip
_DOCUMENT_NAMED = re.compile(r"\b" + _DOC_NOUNS + r"\W*$", re.IGNORECASE)


def _similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def corrected(previous: str, text: str) -> str | None:
    """The previous question with the correction put in, or None when `text` is no
    correction. A whole new question replaces the old one; a few words replace the
    words they correct: the ones named after "not", else the most alike (a typo),
    else the last words of the same length (what "i meant X" usually corrects)."""
    fix = correction(text)
    if fix is None or not previous:
        return None
    if is_question(fix) and len(_WORD.findall(fix)) >= 4:
        return fix
    said_document = _DOCUMENT.search(previous)
    if _DOCUMENT_NAMED.search(fix) and said_document:  # "i meant the 2007 ... article"
        return f"{previous[: said_document.start()].rstrip()} in {fix}"
    wrong = None
    named = _NOT.match(fix)
    if named:
        fix, wrong = named.group("fix").strip(), named.group("wrong").strip()
    words = previous.split()
    size = len(fix.split())
    spans = [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
    if not spans:
        return fix
    if wrong is not None:
        target = max(spans, key=lambda span: _similarity(span.strip("?.,!"), wrong))
        if _similarity(target.strip("?.,!"), wrong) >= _SIMILAR:
            return previous.replace(target.strip("?.,!"), fix, 1)
    best = max(spans, key=lambda span: _similarity(span.strip("?.,!"), fix))
    if _similarity(best.strip("?.,!"), fix) >= _SIMILAR:
        return previous.replace(best.strip("?.,!"), fix, 1)
    if fix.lower() in _STATE_NAMES:  # one place for another: "no, i meant connecticut"
        for name in sorted(_STATE_NAMES, key=len, reverse=True):
            found = re.search(rf"\b{re.escape(name)}\b", previous, re.IGNORECASE)
            if found:
                return previous[: found.start()] + fix + previous[found.end() :]
    return joined(previous, fix)
