"""Explicit requests for a human, recognised in the gateway without the NLU.

A person who asks for a human must get the hand-off offer, however Rasa's
intent classifier reads the message ("operator", "live agent", "put me through
to a person"). Like the crisis net, this runs before Rasa; a match is sent to
Rasa as the `request_human` intent, so the offer, consent and topic questions
stay Rasa's. The patterns are narrow on purpose: a request ("can I talk to a
real person", "connect me with a peer") or a bare noun ("human please"), never
a question about people ("is this a real person?", "how do I talk to someone
at work about my diagnosis?"). A false match costs one question: the offer
asks for consent before anything happens.
"""

from __future__ import annotations

import re
import unicodedata

# who a person may ask for, with the typos and text-speak of phone keyboards
_SOMEONE_WORDS = r"some?one|somone|some1|somebody|sombody|anyone|anybody|any1"
_SOMEONE = "(" + _SOMEONE_WORDS + ")"
_NOUN = (
    r"(h[uo]+m+[ae]?n+s?|huamn|humna|hooman|pe?rs[o]?n|peson|peers?|agent|operator|staff|"
    r"representative|rep|volunteer|supporter|peer\s+(supporter|specialist|worker|mentor))"
)
_ADJ = r"((real|actual|live|h[uo]+m+[ae]?n+|huamn|humna|trained|other)\s+)*"
_NOT_A_JOB = (
    r"(?!\s+((specialist|supporter|worker|support|member)\s+)*"
    r"(certif|train|job|position|role|licen|credential|course|class|salar|pay|wage|"
    r"program|curricul|supervis|work\b|career))"
)
_TEAM = r"(your\s+|the\s+)?(team|staff|peerpath|organi[sz]ation|org|program|side)"
_YOUR_TEAM = r"(your|peerpath('?s)?)(\s+(team|staff|organi[sz]ation|org|program|side))?"
_SOMEONE_SPECIFIC = (
    r"(an?\s+|the\s+|one\s+of\s+the\s+|one\s+of\s+your\s+|your\s+|some\s+)?("
    + _ADJ
    + _NOUN
    + r"|(real|actual|live)\s+("
    + _SOMEONE_WORDS
    + r"|people)"
    + r"|people\s+(who|that)\s+(run|work\s+(on|at|for))\s+(this|here|peerpath)"
    + r"|"
    + _SOMEONE
    + r"\s+(real|human|(who|that|whos)('?s|\s+is|\s+has|\s+have|\s+gets|"
    r"\s+knows|\s+understands)?\b|with\s+(lived|real|personal)\s+experience)"
    + r"|"
    + _SOMEONE
    + r"\s+(at|from|on|in)\s+"
    + _TEAM
    + r"|an?\s+\w+(\s+\w+)?\s+(at|from|on|in)\s+"
    + _YOUR_TEAM
    # "someone at a peer-run organization", "a person from a peer center"
    + r"|("
    + _SOMEONE_WORDS
    + r"|an?\s+(person|peer))\s+(at|from)\s+an?\s+peer([\s-]+(run|led))?\s+"
    r"(organi[sz]ation|org|center|centre|group|agency)"
    + r"|(at|from|on)\s+(your|the|peerpath))\b(\s+members?)?"
    + _NOT_A_JOB
)
# "someone" alone is a request only when nothing follows that names another setting
_SOMEONE_BARE = (
    _SOMEONE
    + r"(\s+(please|pls|plz|now|here|asap|rn))?"
    # "... and can i talk to someone about it": what it is about was said before
    + r"(\s+(about|regarding|on)\s+(it|this|that|them|those))?\s*[.!?]*$"
)
_TO = r"(to|2|with|w|w/|wit)"
_LEAD = (
    r"(^(please\s+|pls\s+|plz\s+)?|\b(can|could|may|might)\s+i\s+(please\s+)?(just\s+)?|"
    r"(^|\bi\s*('d|d|\s+would|'m\s+going\s+to)?\s*)(want|wanna|need|like|wish|rather|prefer)\s+"
    r"((to|2)\s+)?(just\s+)?|\blet\s+me\s+|\bplease\s+(let\s+me\s+)?|\bi'?m\s+(asking|hoping)\s+to\s+|"
    r"\bis\s+it\s+possible\s+to\s+|\b(a\s+)?time\s+to\s+|\b(rather|better|prefer(ably)?)\s+|"
    # someone the person speaks for: "my client wants to talk with an actual peer"
    r"\bmy\s+(client|son|daughter|brother|sister|friend|partner|husband|wife|mom|dad|mother|"
    r"father)\s+(would\s+like|wants|needs|wishes|hopes)\s+to\s+|"
    # "how do i reach a live peer?", "how can we get in touch with a person"
    r"\bhow\s+(do|can|could|would)\s+(i|we)\s+)"
)
_VERB = (
    r"(talk|tlk|tlak|takl|tak|speak|speek|chat|message|text|write|email|e-mail|call|"
    r"get\s+in\s+touch|reach|contact)(ing)?"
    # "talk this through with", "talk it over with", "go over things with"
    r"(\s+(this|it|things|that)(\s+(through|over|out))?)?(\s+" + _TO + r")?\s+"
)
_CONNECT = r"(conn?ect|transfer|put|pass|send|hand|switch|forward|get|link|refer)"
_TAIL = r"([.,!?]*\s*(please|pls|plz|now|asap|rn|right\s+now|on\s+here|on\s+the\s+line))*"
_START = r"(^|[.!?,]\s*)"

_PATTERNS = [
    # "human", "live agent please", "a real person!", "ur not helping. real human now"
    re.compile(
        _START
        + r"((i\s+want|i\s+need|give\s+me|get\s+me|get|find\s+me)\s+)?"
        + _SOMEONE_SPECIFIC
        + _TAIL
        + r"(\s+(this|it|that|there))?\s*[.!?]*$"
    ),
    re.compile(r"^customer\s+(service|support)(\s+please)?\s*[.!?]*$"),
    # "can I talk to a real person", "I'd like to speak with a peer", "talk to human"
    re.compile(_LEAD + _VERB + _SOMEONE_SPECIFIC),
    re.compile(_LEAD + _VERB + _SOMEONE_BARE),
    # "I need a real person, not a computer", "I'd like a peer to reach out to me"
    re.compile(
        r"\bi\s*('d|d|\s+would)?\s*(want|wanna|need|like|prefer)\s+(a|an|to\s+have\s+a)\s+"
        + _ADJ
        + _NOUN
        + r"\b"
        + _NOT_A_JOB
    ),
    # "who can I talk to at your organization?" (not "who do I call about my SSI?")
    re.compile(
        r"\bwho\s+(can|could)\s+i\s+(talk|speak|chat)\s+(to|with)\s*"
        r"([.!?]|$|here\b|(at|from|in)\s+(your|peerpath|this))"
    ),
    # "someone who's been through this"
    re.compile(
        r"^(some?one|somebody|a\s+peer|a\s+person)\s+(who|that)('?s|\s+has|\s+have)\s+been\s+"
        r"(there|through)"
    ),
    # "is anyone there?", "any humans around i can talk to?" (not "hello, anyone there?")
    re.compile(
        r"^(?!(hi|hello|hey|hiya|yo|howdy)\b).*?\b(is\s+|are\s+)?(there\s+)?("
        + _SOMEONE_WORDS
        + r"|any\s+(real\s+)?(humans?|people|peers?)|"
        r"a\s+(real\s+)?(human|person))\s+(there|here|around|available|on\s+here|online)"
        r"(\s+(i\s+can|to)\s+(talk|speak|chat)(\s+(to|with))?)?\s*[.!?]*$"
    ),
    # "connect me with a peer", "put me in touch with someone", "can u get me a peer"
    re.compile(
        r"\b"
        + _CONNECT
        + r"\s+me\s+(up\s+)?(off\s+|over\s+|through\s+|back\s+|in\s+touch\s+)?"
        + r"("
        + _TO
        + r"\s+)?"
        + _SOMEONE_SPECIFIC
    ),
    re.compile(
        r"\b"
        + _CONNECT
        + r"\s+me\s+(off\s+|over\s+|through\s+|in\s+touch\s+)?"
        + _TO
        + r"\s+"
        + _SOMEONE_BARE
    ),
    # "I'd like to be connected with a peer mentor", "can i be transferred to someone"
    re.compile(
        r"\b(be|get|getting|being)\s+(connected|transferred|put\s+through|linked|referred|"
        r"switched|passed)\s+(to|with)\s+(" + _SOMEONE_SPECIFIC + r"|" + _SOMEONE_BARE + r")"
    ),
    re.compile(r"\bhand\s+me\s+off\b|\blive\s+(chat|support|help)\b"),
    # "can a peer call me?", "please have someone call me back", "give me a call back"
    re.compile(
        r"\b(can|could|will|would|have|let)\s+("
        + _SOMEONE_SPECIFIC
        + r"|"
        + _SOMEONE
        + r"|an?\s+"
        + _ADJ
        + _NOUN
        + r")(\s+\w+){0,3}?\s+(call|ring|phone|text|email|e-mail|"
        r"contact|message|reach\s+out\s+to|get\s+in\s+touch\s+with)\s+me\b"
    ),
    re.compile(
        r"\b(call|ring|phone|text)\s+me\s+back\b|\bgive\s+me\s+a\s+(call|ring)\b|"
        r"\b(get|request|want|need|like)\s+a\s+call\s*-?back\b|\bcall\s*-?back\s+from\b"
    ),
    # "can I get a peer on the phone?", "can you get a peer on the line?"
    re.compile(
        r"\b(can|could|would|will)\s+(i|you|u)\s+(get|have|find)\s+(me\s+)?("
        + _SOMEONE_SPECIFIC
        + r"|"
        + _SOMEONE
        + r")\s+(on\s+the\s+(phone|line)|to\s+(call|talk|chat|text))"
    ),
    # "is there a real person I can talk to?", "is there a peer supporter I can talk to?"
    re.compile(
        r"\bis\s+there\s+(an?\s+|any\s*|some\s*)?((real|actual|live)\s+)?"
        r"(human|person|peer|one|body|people|staff)\b"
        # "is there a peer warmline I can call?" asks for a resource, not a hand-off
        r"(?!\s+(warm\s*line|line|group|network|center|centre|org))"
        r".{0,50}\bi\s+(can|could)\s+"
        r"(talk|speak|chat|reach|contact|call)"
    ),
]

# Spanish: "quiero hablar con una persona", "pásame con un humano", "persona real por
# favor", "¿hay alguien de verdad ahí?", "que alguien me llame". "Un par de preguntas" is a
# couple of questions, and "alguien en mi trabajo" someone at work: neither is a request.
_ES_WHO = (
    r"(una?\s+|alg[uú]n(a)?\s+|el\s+|la\s+)?("
    r"(persona|humano|humana|human|ser\s+humano|agente|representante|operador(a)?|peer|"
    r"especialista(\s+de\s+pares)?|par(?!\s+de\b)|pana|consejer[oa]\s+de\s+pares)"
    r"(\s+(real|de\s+verdad|humano|humana|de\s+carne\s+y\s+hueso))?\b"
    r"|alguien(\s+(real|de\s+verdad|humano)|\s+(del|de\s+(el|la|su|tu))\s+(staff|equipo|peerpath|"
    r"organizaci[oó]n)|\s+de\s+peerpath|\s+que\b|\s+con\s+experiencia|\s+en\s+espa[nñ]ol|"
    r"\s*(,\s*)?(por\s+favor|porfa|ya|ahora)?\s*[.!?]*$))"
)
_ES_TALK = r"(hablar|comunicarme|chatear|conversar|platicar|escribirle)\s+(con|a)\s+"
_ES_PATTERNS = [
    re.compile(
        r"\b(quiero|quisiera|necesito|puedo|podr[ií]a|me\s+gustar[ií]a|prefiero|deseo|"
        r"se\s+puede)\s+(poder\s+)?" + _ES_TALK + _ES_WHO
    ),
    re.compile(
        r"\b(p[aá]s[ae]me|comun[ií]came|comun[ií]queme|con[eé]ctame|con[eé]cteme|"
        r"transfi[eé]r[ae]me|ponme|p[oó]ngame|comunicame|conectame)\s+(con|a)\s+" + _ES_WHO
    ),
    re.compile(
        r"^(una?\s+)?(persona|humano|agente|representante|operador(a)?)"
        r"(\s+(real|de\s+verdad))?\s*(,?\s*(por\s+favor|porfa|pls))?\s*[.!?]*$"
    ),
    re.compile(r"\bnecesito\s+una?\s+(persona|humano)(\s+(real|de\s+verdad))?\b"),
    re.compile(r"\bhay\s+(alguien|una\s+persona|un\s+humano)\s+(de\s+verdad|real)\b"),
    re.compile(
        r"\b(me\s+puede[ns]?\s+llamar\s+(una?\s+)?(peer|par|persona|alguien)|"
        r"alguien\s+(de\s+\w+\s+)?me\s+puede\s+llamar|que\s+alguien\s+me\s+llame)"
    ),
]


def normal(text: str) -> str:
    """Lower case, plain apostrophes, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def asks_for_human(text: str) -> bool:
    """True when the message, or one sentence of it, plainly asks for a human ("can you
    connect me with someone? i'm worried about my job. also ..."). Payloads ("/...")
    never do."""
    said = normal(text)
    if not said or said.startswith("/"):
        return False
    return any(_asks(part) for part in (said, *_sentences(said)))


def _asks(said: str) -> bool:
    return any(pattern.search(said) for pattern in (*_PATTERNS, *_ES_PATTERNS))


def _sentences(said: str) -> list[str]:
    """The sentences of a message of more than one (a request may end any of them)."""
    parts = [part.strip() for part in re.split(r"(?<=[.!?])\s+", said) if part.strip()]
    return parts if len(parts) > 1 else []


# Where a message that also asks for a person may say something else: after a
# sentence's end, at ";", and before "also", "plus", "btw" or a ", and ..." that
# starts the request ("what's the pay like? also can i talk to someone").
_CLAUSE_BREAK = re.compile(
    r"(?<=[.!?])\s+|\s*;\s*|,?\s+(?:and\s+)?(?:also|plus|btw|by\s+the\s+way)\b[\s,]*|"
    r"(?:,\s*|\s+(?=and\s+))(?:and\s+|but\s+)?(?=(?:can|could|may|i'?d|i\s+want|i\s+need|please|pls|"
    r"is\s+there|connect|put\s+me|get\s+me|let\s+me)\b)",
    re.IGNORECASE,
)

# a clause about the request itself: "can you set that up?", "is that possible?"
_POINTS_BACK = re.compile(
    r"^\W*(can|could|would|will|is|are)\s+(\w+\s+){0,3}?(that|this|it)(\s+\w+){0,2}\W*$",
    re.IGNORECASE,
)
_CLAUSE_LEAD = re.compile(r"^[\s,]*((and|also|plus|btw|but)\b[\s,]*)+", re.IGNORECASE)


def beside_request(text: str) -> str:
    """What a message says besides asking for a human, or "" when the request is all of
    it: "whats the pay like? also can i talk to an actual person" -> "whats the pay
    like?". A request that can't be told apart from the rest keeps it all to itself
    ("can i talk to someone about ssi" names what to talk about, not a question)."""
    parts = [_CLAUSE_LEAD.sub("", part).strip(" ,") for part in _CLAUSE_BREAK.split(text)]
    parts = [part for part in parts if part]
    kept = [part for part in parts if not asks_for_human(part) and not _POINTS_BACK.match(part)]
    if len(kept) == len(parts):
        return ""
    return " ".join(kept)
