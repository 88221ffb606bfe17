"""Hand-written patterns for explicit crisis language (the net's first half).

First-person signals ("i want to die", "i'm not safe") always fire. Topic
words ("suicide", "overdose", "self-harm") fire too, unless the message reads
as a question about the work ("suicide prevention training for peers") and
the person says nothing about themselves. Everyday figures of speech ("this
commute is killing me") are left to the classifier, which has seen them.
"""

from __future__ import annotations

import re
import unicodedata

_FIRST_PERSON = [
    # suicide, dying, not wanting to live
    r"\b(kill+|kil|killing|end+|ending|off+|offing)\s*(my\s*self|myself|meself|mysef|myslef)\b",
    r"\b(end|ending|take|taking|took)\s+(my|own)\s+(own\s+)?l[iy][fv]e?\b",
    r"\bend(ing)?\s+(it|it\s+al+|things|everything|this|my\s+pain)\b",
    r"\b(kms|kys|unalive|unaliving)\b",
    r"\b(wants?|wanna|wish|going|gonna|ready|plan(ning)?|trying|tryna|about)\s+(to\s+)?"
    r"(die|dye|be\s+dead|not\s+(be\s+)?(here|alive|exist)|disappear|sleep\s+forever|"
    r"not\s+wake\s+up|jump|hang\s+myself|overdose)\b",
    r"\b(i\s+)?wish\s+i\s+(was|were)\s+(dead|never\s+born|gone)\b",
    r"\b(don'?t|do\s+not|dont|no\s+longer)\s+want\s+to\s+(be\s+here|live|be\s+alive|exist|"
    r"wake\s+up|go\s+on|keep\s+going|be\s+around)\b",
    r"\bno\s+(reason|point|will)\s+(to|in)\s+(live|living|go(ing)?\s+on|be(ing)?\s+(here|alive))\b",
    r"\bnothing\s+(left\s+)?to\s+live\s+for\b",
    r"\bwhat'?s\s+the\s+point\s+(of\s+)?(anything|living|life|going\s+on|it\s+all|trying)\b",
    r"\bbetter\s+off\s+(without\s+me|dead|if\s+i\s+(was|were)n'?t|if\s+i\s+(was|were)\s+gone)\b",
    r"\bcan'?t\s+(go\s+on|take\s+(it|this)\s+any\s*more|keep\s+going|do\s+this\s+any\s*more|"
    r"live\s+like\s+this|cope\s+any\s*more)\b",
    r"\b(won'?t|not\s+going\s+to|don'?t\s+think\s+i'?ll)\s+(make\s+it|be\s+(here|around|alive))\b",
    r"\bmake\s+it\s+through\s+the\s+night\b",
    r"\bthis\s+is\s+(my\s+)?(goodbye|the\s+end)\b",
    r"\b(letters?|notes?)\b.{0,40}\bgoodbye\b|\bgoodbye\s+(letters?|notes?|forever|world|everyone)\b",
    r"\bsay(ing)?\s+(my\s+)?goodbyes?\s+to\s+(my\s+)?(family|everyone|kids|friends|mom|dad)\b",
    r"\bgiv(e|ing|en)\s+(away\s+)?(all\s+)?(of\s+)?my\s+(stuff|things|belongings|possessions)\b",
    r"\b(wrote|written|writing)\s+(a\s+|my\s+)?(suicide\s+)?(will|note)\b",
    r"\b(point|worth)\s+(in\s+|of\s+)?(living|life|going\s+on|being\s+alive|trying)\b",
    r"\blife\s+(isn'?t|is\s+not|ain'?t|aint)\s+worth\b",
    r"\b(don'?t|dont|do\s+not|no\s+longer)\s+(want|wanna)\s+(to\s+)?(live|be\s+alive|exist|be\s+here)\b",
    r"\bnever\s+(been\s+)?born\b",
    r"\b(tired|done|sick|weary|exhausted)\s+(of|with)\s+(everything\s+(including\s+)?)?"
    r"(being\s+alive|living|life|existing|it\s+all)\b",
    r"\b(stop|quit)\s+(existing|living|being\s+alive)\b",
    r"\breason\s+to\s+(keep\s+)?(live|living|stay\s+alive|be\s+alive|go\s+on)\b",
    r"\bcan'?t\s+do\s+(life|living)\b",
    r"^\W*(i\s+)?can'?t\s+any\s*more\W*$|\bi\s+(just\s+)?can'?t\s+any\s*more\b",
    r"\bwant\s+(everything|it\s+all|the\s+pain|life)\s+to\s+(stop|end|be\s+over)\b",
    r"\b(sleep|rest)\s+forever\b|\b(not|never)\s+wake\s+up\b",
    r"\bsay(ing)?\s+(my\s+)?goodbyes\b",
    r"\bmy\s+last\s+(message|text|words|note|goodbye|night|day\s+alive)\b|\blast\s+message\s+to\b",
    r"\b(not|won'?t|can'?t|don'?t\s+think\s+i'?ll|might\s+not)\b.{0,20}\b(survive|make\s+it)\b",
    # self-harm
    r"\b(hurt|harm|cut|burn|starv|punish|hit|stab|chok|strangl|poison)\w*\s+(my\s*self|myself)\b",
    r"\b(keep|kept|keeping)\s+(myself|me)\s+safe\b",
    r"\b(scared|afraid|terrified)\s+of\s+(what\s+i|myself|my\s+thoughts)\b",
    r"\b(i'?m|im|i\s+am)\s+(really\s+|so\s+|just\s+|honestly\s+)?not\s+(ok|okay|alright|safe)\b",
    r"\bin\s+danger\b",
    r"\b(mixed|mixing)\b.{0,30}\b(pills|meds|alcohol|drugs|booze)\b",
    r"\b(won'?t|can'?t|isn'?t|not)\s+(wake|waking)\s+up\b|\b(don'?t|never|not)\s+wake\s+up\b",
    r"\b(took|taking|take|swallowed|swallowing)\s+(my\s+)?(whole|entire|all)\b.{0,25}"
    r"\b(prescription|pills|meds|bottle|medication|supply)\b",
    r"\ball\s+(of\s+)?my\s+(meds|pills|medication|medicine)\s+at\s+once\b",
    r"\b(been|started|start|keep|back\s+to)\s+cutting\b|\bcutting\s+again\b",
    r"\brelaps\w*\b.{0,60}\b(die|dying|dead|care)\b",
    r"\b(don'?t|do\s+not)\s+care\s+if\s+i\s+(die|live|wake\s+up|od)\b",
    # overdose, drugs in danger
    r"\b(took|taken|take|swallowed|ate)\s+(too\s+many|a\s+(bunch|lot|handful)\s+of|all\s+(of\s+)?"
    r"(my|the))\s+\w*\s*(pills|meds|medication|tablets)\b",
    r"\b(od'?d|o\.d\.|od'?ing|overdos\w*)\b.{0,30}\b(i|me|my|im)\b|\bi\s+(just\s+)?(od'?d|overdosed)\b",
    # harm to others
    r"\b(want|wanna|going|gonna|will|'ll|about|plan(ning)?|ready)\s+(to\s+)?"
    r"(hurt|kill|shoot|stab|attack|beat|strangle|murder)\s+"
    r"(someone|somebody|people|him|her|them|my|everyone|every\w*|a\s+\w+|the\s+\w+|that\s+\w+)\b",
    r"\b(i'?ll|i\s+will|i'?m\s+gonna|i'?m\s+going\s+to)\s+(kill|murder|shoot|stab)\b",
    # in crisis, not safe
    r"\b(i'?m|i\s+am|im|i'?ve\s+been|i\s+feel)\s+(really\s+)?(in|having)\s+(a\s+)?"
    r"(mental\s+health\s+)?(crisis|emergency|breakdown)\b",
    r"\b(i'?m|i\s+am|im|i\s+feel|i\s+don'?t\s+feel)\s+(not\s+)?safe\s+(right\s+now|tonight|"
    r"with\s+myself|around\s+myself|at\s+home|anymore)\b",
    r"\b(i'?m|i\s+am|im)\s+not\s+(ok(ay)?|safe)\b.{0,30}\b(now|tonight|help|please)\b",
    r"\b(need|want)\s+help\s+(right\s+)?now\b.{0,20}\b(please|plz|pls)?",
    r"\bhelp\s+me\s+(please|plz|pls)\b.{0,20}\b(now|can'?t|scared|dying)\b",
    r"\b(voices?)\b.{0,40}\b(tell(ing)?\s+me\s+to|want\s+me\s+to)\b",
    r"\b(i\s+have|i'?ve\s+got|got)\s+(a\s+)?(gun|rope|pills|knife|blade)\b.{0,40}"
    r"\b(end|die|use|ready|tonight|myself)\b",
]

# Words that name a crisis outright. They fire unless the message reads as a
# question about the work and the person says nothing about themselves.
_DANGER = [
    r"\bsu+[iy]*[cs]+[iy]*d+[ea]?l?\w*",  # suicide, sucide, suiside, suicidal, suicidel
    r"\bsewerslide\b|\bunaliv\w*|\bkms\b|\bctb\b",
    r"\bself[\s-]*harm\w*|\bsh'?d\b",
    r"\boverdos\w*|\bod'?d\b",
    r"\bwant\s+to\s+die\b|\bkill\s+my\s*self\b",
    r"\bcrisis\b.{0,20}\b(now|help\s+me|please|rn)\b",
]

# A question about the work ("suicide prevention training for peers")...
_INFORMATIONAL = re.compile(
    r"\b(training|prevention|course|class|certif\w*|curriculum|policy|policies|protocol|"
    r"clients?|someone\s+who|people\s+who|a\s+person\s+who|peers?\s+(help|support)|"
    r"how\s+(do|can|should|would)\s+(i|we|peers?|you)\s+(help|support|respond|talk)|"
    r"what\s+(does|do|should)|awareness|statistics|research|hotline\s+number|"
    r"crisis\s+(line|center|centre|team|worker|services?|intervention)|"
    r"mobile\s+crisis|petition|workforce|credential|article|agenda|deadline|jobs|positions?|"
    r"funding|data|rates?|programs?|agency|organi[sz]ations?|employers?|staff|initiative|"
    r"hotlines?|harm\s+reduction|trainer|reversals?|response\s+teams?|messaging|"
    r"emergency\s+(room|department|rooms|departments|services|medicine))\b"
)
# ...unless the person speaks of themselves.
_SELF = re.compile(
    r"\b(i'?m|im|i\s+am|i\s+feel|i\s+want|i\s+wanna|i\s+think|i\s+can'?t|i\s+don'?t|i'?ve|"
    r"i\s+have|i\s+just|i\s+keep|myself|my\s+life|i'?ll|i\s+will|i\s+wish|lost\s+my|"
    r"my\s+(job|pain|kids|family|head|thoughts|mind)|thinking\s+(about|of)|feel(ing)?)\b"
)

_FIRST = [re.compile(p) for p in _FIRST_PERSON]
_DANGERS = [re.compile(p) for p in _DANGER]


def normalize(text: str) -> str:
    """Lower case, plain apostrophes and letters, collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"[^a-z0-9'.\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def matches(text: str) -> bool:
    """Whether `text` uses explicit crisis language."""
    plain = normalize(text)
    # also try with letters repeated for emphasis squeezed ("diiie" -> "die")
    squeezed = re.sub(r"([a-z])\1{2,}", r"\1", plain)
    for variant in {plain, squeezed}:
        if any(p.search(variant) for p in _FIRST):
            return True
        if any(p.search(variant) for p in _DANGERS):
            about_the_work = _INFORMATIONAL.search(variant) and not _SELF.search(variant)
            if not about_the_work:
                return True
    return False
