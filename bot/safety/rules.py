"""Hand-written patterns behind the graded assessment, English and Spanish.

Four kinds of pattern, each a list read top to bottom:

- PRESENT_RISK: a person speaking of their own risk now or soon (wanting or
  planning to die, not wanting to live, goodbyes, having the means ready,
  hurting themselves right now). Always `crisis`.
- EMERGENCY: someone in danger now: a weapon, violence, threats to hurt
  others, someone unresponsive, not breathing, bleeding or overdosing. Always
  `crisis`, with 911 first, unless the message is plainly hypothetical
  ("what should staff do if ...") and nothing says it is happening now.
- CRISIS_LANGUAGE: suicide, overdose, self-harm and the acts themselves
  (attempted, took all my pills, cut myself, wrote a note), which may be
  present, past, someone else's, or a subject of work or study.
- FRAMES that can move such language to `sensitive`: the person's own past
  (years ago, in 2015, as a teen, in recovery since...), someone else's
  history (lost my brother to suicide...), or work, training and study (jobs,
  pay, courses, research, how to support someone...). NOW cues (right now,
  tonight, again, this weekend, just took...) cancel any frame.

IDIOMS ("this job hunt is killing me") explain away a classifier hit with no
crisis language at all.
"""

from __future__ import annotations

import re
import unicodedata


def normalize(text: str) -> str:
    """Lower case, plain apostrophes, accents kept (Spanish), collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"[^\w'.,!?¿¡\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def squeeze(text: str) -> str:
    """Letters repeated for emphasis squeezed ("diiie" -> "die")."""
    return re.sub(r"([a-záéíóúñ])\1{2,}", r"\1", text)


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_ME = r"(my\s*self|myself|meself|mysef|myslef|my self)"
_DIE = (
    r"(die|dye|be\s+dead|not\s+(be\s+)?(here|alive|exist)|disappear|sleep\s+forever|"
    r"not\s+wake\s+up|jump|hang\s+myself|overdose|od|kms|unalive(\s+myself)?|sewer\s*slide|ctb|"
    r"end\s+(it|it\s+all|things|everything|my\s+life)|kill\s+" + _ME + r"|kil\s+my\s*self|"
    r"take\s+(my|all\s+(my|the))\s+(life|pills|meds)|yeet\s+myself|off\s+myself)"
)
_SOON = (
    r"(right\s+now|rn|rite\s+now|rigt\s+now|now|tonight|tonite|tonihgt|tn|today|this\s+(weekend|week|time)|"
    r"tomorrow|after\s+(work|my\s+shift|group|tonight|this)|soon|again|agian)"
)

PRESENT_RISK = _any(
    [
        # not being around, ending it, not coming back, doing something to oneself
        r"\bnot\s+(planning|going|gonna|expecting)\s+(to\s+be|on\s+being)\s+(here|around|alive)\b",
        r"\b(i'?m|im|i\s+am)\s+(ending|going\s+to\s+end|gonna\s+end)\s+(my\s+life|it(\s+all)?)\b",
        r"\b(don'?t|do\s+not)\s+think\s+i'?m\s+(coming\s+(back|down|home)|going\s+to\s+make\s+it)\b",
        r"\b(about|going|gonna|want)\s+to\s+do\s+something\s+to\s+(myself|my\s*self)\b",
        # wanting, planning, going to die or kill oneself
        r"\b(i|i'?m|im|i\s+am|i'?ve|i\s+have|i\s+just|me|my\s+brain)\b.{0,40}\b"
        r"(wants?|wanna|wnat|wnt|wish|going|gonna|gona|ready|plan(ning)?|tryna|about|decided|"
        r"close)\s+(to\s+)?" + _DIE,
        r"\b(i'?m|im|i\s+am)\s+(\w+\s+)?trying\s+to\s+" + _DIE,
        r"\b(imma|ima|i'?ma)\s+" + _DIE,
        r"^\W*(i\s+)?(want|wanna|wnat|wnt|gonna|gona|going|planning|plan|ready|about)\s+(to\s+)?"
        + _DIE,
        r"\b(kms|kys|unalive\s+myself)\b",
        r"\bno\s+point\s+(in\s+)?(me\s+)?(being|living|going\s+on|staying|trying)\b",
        r"\b(only|last)\s+reason\s+(i'?m|im|i\s+am|i\s+was|i'?ve\s+been|i\s+keep)\s+(still\s+)?"
        r"(alive|here|going|living|breathing)\b",
        r"\btell\s+(my|her|him|them|everyone)\b.{0,50}\b(wasn'?t|isn'?t|was\s+not|is\s+not)\s+"
        r"(her|his|their|your|anyone'?s|my\s+\w+'?s)\s+fault\b",
        r"\b(calm|peace|peaceful|relieved|at\s+peace)\s+now\s+that\s+i'?ve\s+decided\b|"
        r"\bi'?ve\s+(made\s+up\s+my\s+mind|decided)\W*$",
        r"\b(don'?t|do\s+not)\s+think\s+i'?m\s+(going\s+to|gonna)\s+(be\s+(here|around|alive)|make\s+it)\b",
        r"\b(standing|sitting|been\s+standing)\s+(on|at|by)\s+(the\s+)?(train\s+platform|platform|"
        r"bridge|edge|ledge|roof|tracks)\b",
        r"\b(bought|got|have|buying)\s+(a\s+)?rope\b",
        r"\b(kms|kys|unalive|sewer\s*slide|ctb|kil+\s+my\s*self|killing\s+myself|ending\s+it)\b.{0,30}"
        + _SOON,
        r"\b(i'?m|im|i\s+am)\s+(so\s+)?(suicidal|sucidal)\b",
        r"\bsuicidal\s+(right\s+now|rn|af|tonight)\b",
        r"\b(i\s+)?wish\s+i\s+(was|were)\s+(dead|never\s+born|gone)\b",
        r"\b(don'?t|dont|do\s+not|no\s+longer)\s+(want|wanna|wana)\s+(to\s+)?(be\s+here|live|liv|be\s+alive|"
        r"exist|wake\s+up|go\s+on|keep\s+going|be\s+around)\b",
        r"\bno\s+(reason|point|will)\s+(to|in)\s+(live|living|go(ing)?\s+on|be(ing)?\s+(here|alive))\b",
        r"\bnothing\s+(left\s+)?to\s+live\s+for\b",
        r"\bwhat'?s\s+the\s+point\s+(of\s+)?(anything|living|life|going\s+on|it\s+all|trying)\b",
        r"\bbetter\s+off\s+(without\s+me|dead|if\s+i\s+(was|were)n'?t|if\s+i\s+(was|were)\s+gone)\b",
        r"\bcan'?t\s+(go\s+on|take\s+(it|this)\s+any\s*more|keep\s+going|do\s+this\s+any\s*more|"
        r"live\s+like\s+this|cope\s+any\s*more|do\s+another\s+day)\b",
        r"^\W*(i\s+)?can'?t\s+any\s*more\W*$|\bi\s+(just\s+)?can'?t\s+any\s*more\b",
        r"\b(won'?t|wont|not\s+going\s+to|don'?t\s+think\s+i'?ll|don'?t\s+plan\s+on)\s+(make\s+it|be(ing)?\s+"
        r"(here|around|alive))\b",
        r"\b(i'?m|im|i\s+am)\s+not\s+going\s+to\s+be\s+(here|around|alive)\b",
        r"\bmake\s+it\s+through\s+the\s+night\b|\bif\s+i\s+make\s+it\s+through\s+tonight\b",
        r"\bthis\s+is\s+(my\s+)?(goodbye|the\s+end|my\s+last)\b",
        r"\bgoodbye\s+(everyone|forever|world)\b|\bsay(ing)?\s+(my\s+)?goodbyes\b|"
        r"\bbye\s+everyone\b",
        r"\bsaid\s+goodbye\s+to\b.{0,40}\b(goodbye|don'?t\s+know)\b",
        r"\bmy\s+last\s+(message|text|words|night|day\s+alive)\b|\blast\s+message\s+to\b",
        r"\bgiv(e|ing|en)\s+(away\s+)?(all\s+)?(of\s+)?my\s+(stuff|things|belongings|possessions)\b",
        r"\b(gave|giving)\s+(away\s+)?my\s+\w+\s+to\b.{0,60}\b(won'?t|wont|not)\s+(be\s+)?need",
        r"\b(won'?t|wont)\s+(be\s+)?need(ing)?\s+(it|them|this|that|these)\b.{0,40}\b(where|after|anymore|any\s+more)\b",
        r"\bwhere\s+i'?m\s+going\b",
        r"\b(won'?t|wont)\s+(have\s+to\s+deal\s+with\s+me|be\s+a\s+(problem|burden))\b",
        r"\b(much|any)\s+longer\b.{0,20}$|\bnot\s+be\s+a\s+(problem|burden)\b",
        r"\b(tired|done|sick|weary|exhausted)\s+(of|with)\s+(everything\s+(including\s+)?)?"
        r"(being\s+alive|living|life|existing|it\s+all|waking\s+up)\b",
        r"\b(stop|quit)\s+(existing|living|being\s+alive)\b",
        r"\bwant\s+(everything|it\s+all|the\s+pain|life)\s+to\s+(stop|end|be\s+over)\b",
        r"\bi'?m\s+tired\s+of\s+fighting\b|\bputting\s+the\s+gloves\s+down\b",
        # now: hurting themselves, or the means ready
        r"\b(i'?m|im|i\s+am)\s+(hurting|cutting|burning)\s+(myself|my)\b",
        r"\b(started|start|starting)\s+(cutting|hurting\s+myself|self\s*harming)\s+again\b|"
        r"\b(cutting|cut)\s+again\b|\bi\s+started\s+again\b",
        r"\b(i\s+have|i'?ve\s+got|got|i\s+hav)\s+(a\s+plan|the\s+pills|the\s+pils|a\s+gun|a\s+rope|"
        r"everything\s+(i\s+need|ready)|what\s+i\s+need)\b",
        r"\b(have|has|got)\s+a\s+plan\b.{0,30}" + _SOON,
        r"\bplan\s+for\s+tonight\b|\bsi\s+is\s+.{0,20}\b(loud|bad|back)\b",
        r"\b(pills|pils)\s+in\s+my\s+(hand|hnd)\b|\bsaving\s+up\s+pills\b",
        r"\bhold(ing)?\s+(it|the\s+gun|a\s+gun)\b.{0,60}\bmyself\b|\buse\s+it\s+on\s+myself\b",
        r"\b(until|till|til)\s+i\s+die\b|\b(don'?t|dont|do\s+not)\s+care\s+if\s+i\s+(die|live|wake\s+up|od)\b",
        r"\b(enough|so\s+much)\s+(that\s+)?i\s+(just\s+)?(don'?t|dont|won'?t|never)\s+wake\s+up\b",
        r"\b(scared|afraid|terrified)\s+of\s+(what\s+i|myself|my\s+thoughts)\b",
        r"\b(keep|kept|keeping)\s+(myself|me)\s+safe\b",
        r"\b(i'?m|im|i\s+am)\s+(really\s+|so\s+|just\s+|honestly\s+)?not\s+(ok|okay|alright|safe)\b"
        r".{0,30}\b(now|tonight|help|please|anymore)\b",
        r"\b(i'?m|i\s+am|im|i\s+feel|i\s+don'?t\s+feel)\s+(not\s+)?safe\s+(right\s+now|tonight|"
        r"with\s+myself|around\s+myself|at\s+home|anymore)\b",
        r"\b(i'?m|i\s+am|im|i'?ve\s+been|i\s+feel)\s+(really\s+)?(in|having)\s+(a\s+)?(mental\s+health\s+)?"
        r"(crisis|emergency|breakdown)\b",
        r"\b(voices?|brain)\b.{0,40}\b(tell(ing)?\s+me\s+to|want\s+me\s+to|saying\s+kys)\b",
        r"\b(keep|can'?t\s+stop|cant\s+stop|can'?t\s+stpo)\s+(thinking|thinkin)\s+(about|abt|of)\s+"
        r"(it|suicide|killing|dying|death|jumping|ending|the\s+pills|how)\b",
        r"\b(i'?m|im|i\s+am|been|i'?ve\s+been)\s+(thinking|thinkin|thinkng)\s+(about|abt|abot|of)\s+"
        r"(suicide|sucide|sewerslide|sewer\s+slide|killing\s+myself|ending\s+(it|my\s+life)|dying|"
        r"ctb|doing\s+it|it)\b",
        r"\bsame\s+thoughts\s+are\s+back\b|\bthoughts\s+are\s+back\b|\bsame\s+plan\b",
        r"\bthird\s+time\s+is\b|\b(do|doing|try)\s+it\s+again\b|\bget\s+it\s+right\s+this\s+time\b",
        r"\brelaps\w*\b.{0,60}\b(die|dying|dead|wake\s+up|care|gone)\b",
        r"\bfinally\s+know\s+how\s+this\s+ends\b|\bit\s+ends\s+this\s+(week|weekend)\b",
        r"\bnot\s+(a|be)\s+(problem|burden)\s+for\s+(anyone|anybody)\b",
        r"\bwhere\s+(my\s+)?(sister|brother|mom|family|kids?)\s+will\s+find\s+them\b",
        r"\b(wrote|writing|written)\s+(letters?|notes?)\s+to\s+(every\w*|all|my)\b",
        r"\bmy\s+(stuff|things)\s+after\s+i\s+(kill|die|end|am\s+gone)\b|\bafter\s+i'?m\s+gone\b",
        r"\bbefore\s+i\s+(kill\s+myself|end\s+(things|it|my\s+life)|die|do\s+it)\b",
        r"\bmy\s+family\s+to\s+have\s+it\s+before\b|\bbefore\s+i\s+end\b",
    ]
)

PRESENT_RISK_ES = _any(
    [
        r"\b(quiero|quisiera|me\s+quiero|ganas\s+de|voy\s+a|pienso|estoy\s+pensando\s+en|pensando\s+en|"
        r"kiero|decid[ií])\s+(morir(me)?|matarme|suicidarme|quitarme\s+la\s+vida|acabar\s+con\s+(mi\s+vida|"
        r"todo)|desaparecer|tirarme|aventarme|cortarme|tomarme\s+todas|dejar\s+de\s+existir)\b",
        r"\bme\s+voy\s+a\s+(matar|morir|tirar|aventar|quitar\s+la\s+vida|cortar)\b(?!\s+(estudiando|trabajando|"
        r"de\s+(risa|hambre|sueño|cansancio)))",
        r"\b(ya\s+)?no\s+quiero\s+(vivir|seguir(\s+viviendo)?|estar\s+aqu[ií]|despertar|existir)\b",
        r"\b(ya\s+)?no\s+(aguanto|puedo)\s+(m[aá]s|nada)\b",
        r"\b(esta\s+es\s+mi|mi)\s+despedida\b|\bme\s+desped[ií]\s+de\s+todos\b",
        r"\b(ya\s+)?no\s+voy\s+a\s+(estar|durar|seguir)\b|\bno\s+voy\s+a\s+ser\s+una\s+carga\b",
        r"\bles\s+regal[eé]\s+mis\s+cosas\b|\bregal[eé]\s+mis\s+cosas\b",
        r"\btengo\s+(un|el)\s+plan\s+para\b|\b(ya\s+)?tengo\s+todo\s+listo\b",
        r"\bme\s+estoy\s+cortando\b|\blo\s+estoy\s+pensando\s+otra\s+vez\b",
        r"\b(parad[oa]|estoy)\s+en\s+el\s+puente\b",
    ]
)

_WEAPON = (
    r"(gun|guns|pistol|rifle|firearm|knife|knives|box\s*cutter|machete|blade|weapon|pistola|arma|"
    r"cuchillo|navaja|strap|shank|blicky|glock)"
)
_HURT = (
    r"(kill|shoot|stab|hurt|attack|cut|beat|strangle|murder|poke|shank|"
    r"matar|apuñalar|disparar|lastimar)"
)
EMERGENCY = _any(
    [
        r"\b(has|have|had|with|pulled|pulling|holding|waving|pointing|brought|bringing|carrying|got|"
        r"showed\s+up\s+with|in\s+(his|her|their)\s+(hand|lap|bag|car|pocket|backpack)|trae|tiene|sac[oó]|"
        r"con\s+una?|amenaz\w*\s+con\s+una?|wit)\s+(a\s+|an\s+|the\s+|his\s+|her\s+|their\s+|my\s+)?"
        + _WEAPON
        + r"\b",
        r"\b"
        + _WEAPON
        + r"\s+(at|in)\s+(work|the\s+office|the\s+offic|our|my|the\s+(lobby|building|center))\b",
        r"\b" + _WEAPON + r"\b.{0,40}\b(threat\w*|on\s+(his|her)\s+way|saying|says)\b",
        r"\b(shots|shooting|shooter|gunfire|disparos|balazos|balacera)\b",
        r"\b(stabbed|got\s+stabbed|been\s+stabbed|got\s+shot|was\s+shot|been\s+shot|apuñalad\w*|baleado)\b",
        r"\b(threaten\w*|amenaz\w*)\s+(to\s+)?("
        + _HURT
        + r"|staff|us|me|the|everyone|a|an|our|my|him|her)\b",
        r"\b(he|she|they|he'?s|she'?s|they'?re|someone|somebody|a\s+(man|guy|woman|client|resident|person)|"
        r"my\s+\w+|va)\b.{0,30}\b(going\s+to|gonna|will|'ll|threatening\s+to|va\s+a)\s+"
        + _HURT
        + r"\s+"
        r"(everyone|every\w*|our|the|my|his|her|them|him|us|el|la|al|a\s+su)\b",
        r"\b(said|says|threatened|told\s+me|keeps\s+saying)\b.{0,20}\b(he'?s|she'?s|they'?re|he|she|they)"
        r"\s*('ll|\s+will|\s+going\s+to|\s+gonna)\s+(kill|hurt|shoot|stab)\s+me\b",
        r"\bthinking\s+about\s+using\s+it\s+on\b",
        r"\b(i|i'?m|im)\b.{0,20}\b(want|wanna|going|gonna|will|'ll|about|plan(ning)?|ready|could|might)\s+"
        r"(to\s+)?(go\s+after|hurt|kill|shoot|stab|attack|beat|strangle|murder|get)\s+(someone|somebody|"
        r"people|him|her|them|my|everyone|every\s*\w*|a\s+\w+|the\s+\w+|that\s+\w+|those|all|these)\b",
        r"\b(won'?t|will\s+not)\s+let\s+me\s+(leave|go|out)\b|\btook\s+my\s+(id|passport|papers)\b|"
        r"\b(locked|trapped|held)\s+me\s+in\b|\b(hits|hit|choked|chokes|beats)\s+me\b",
        r"\b(hiding|hidden)\s+(in|from)\b.{0,60}\b(he'?s|she'?s|they'?re|scared|breaking|get\s+in)\b",
        r"\bget\s+(them|him|her)\s+before\s+(they|he|she)\s+get\s+me\b",
        r"\bgoing\s+to\s+get\s+what'?s\s+coming\b|\bmake\s+\w+\s+regret\b.{0,40}\bwhere\s+(she|he)\s+lives\b",
        r"\b(i'?ll|i\s+will|i'?m\s+gonna|i'?m\s+going\s+to)\s+(kill|murder|shoot|stab|hurt)\s+(him|her|them|"
        r"my|our|the|everyone)\b",
        r"\b(fight|fighting|punched|punching|hitting|beating|attacking|attacked|swinging|slammed|grabbed|"
        r"choking|pelea|golpe\w*)\b.{0,60}\b(hurt|bleeding|bleedng|on\s+the\s+floor|not\s+getting\s+up|"
        r"still|sangr\w*|again)\b",
        r"(?<!to\s)(?<!i\s)\b(not|isn'?t|isnt|won'?t|wont|can'?t|cant|stopped|no)\s+(breathing|breathin|breathe|waking\s+up|wakin|"
        r"wake\s+(up|her|him)|responding|respond|answering|moving|respira|despierta|responde)\b",
        # someone else in danger now: can't be woken, bleeding, slurring after pills, on fire,
        # saying they will end their life now
        r"\bcan'?t\s+wake\s+(him|her|them)\b|\b(not|isn'?t|isnt)\s+(wake?ing|wakin|breathng|breating)\b",
        r"\b(a\s+lot\s+of|so\s+much)\s+blood\b|\bblood\s+everywhere\b",
        r"\b(she'?s|he'?s|they'?re|shes|hes)\s+(slurring|getting\s+(really\s+)?sleepy|turning\s+(blue|gray))\b|"
        r"\bcan\s+barely\s+keep\s+(her|his|their)\s+eyes\s+open\b",
        r"\b(he|she|they|mom|dad|my\s+\w+)\b.{0,40}\btook\s+(a\s+whole\s+bottle|way\s+too\s+many|too\s+many)\b",
        r"\bset\s+(the\s+\w+|it|\w+)\s+on\s+fire\b|\bburn\s+(it|the\s+\w+)\s+down\b",
        r"\b(she'?s|he'?s|they'?re|shes|hes|she|he|they)\s+(is\s+)?(going|gonna)\s+(to\s+)?(end\s+it|jump|"
        r"kill\s+(himself|herself|themselves))\b",
        r"\bse\s+dio\s+(un|una)\s+(overdose|sobredosis)\b|\b(est[aá])\s+(todo\s+|toda\s+)?(azul|morad[oa])\b",
        r"\b(barely|isn'?t)\s+breathing\b|\bnot\s+breathing\s+right\b|\bbreathing\s+but\s+(barely|"
        r"not\s+well|shallow)\b",
        # someone's state now; "(i) was found unresponsive" tells a past
        r"(?<!\bwas\sfound\s)(?<!\bwere\sfound\s)(?<!\bi\swas\s)"
        r"\b(unresponsive|passed\s+out|collapsed|seizure|convulsing|"
        r"inconsciente|slumped\s+over)\b",
        r"\b(lips|labios)\s+(are\s+)?(turning\s+)?(blue|morados)\b|\bblue\s+lips\b",
        r"\b(bleeding|bleedng|sangrando)\s+(a\s+lot|badly|everywhere|everywere|heavily|mucho|from)\b",
        r"\b(is|are|he'?s|she'?s|someone'?s|esta|está)\s+(overdosing|od'?ing|dying|bleeding|cortando)\b",
        r"\b(od'?d|overdosed)\s+(in\s+(my|the|our)\s+(car|house|room|bathroom|office|lobby|truck)|"
        r"on\s+the\s+floor|right\s+now|just\s+now)\b",
        r"\b(he|she|they|my\s+\w+|mi\s+\w+)\s+(just\s+)?(swallowed|took|tooked|se\s+tom[oó])\s+(something|"
        r"a\s+bunch\s+of|too\s+many|all\s+(her|his|their)|un\s+mont[oó]n\s+de|pils|pills|too\s+many)\b",
        r"\bhelp\s+overdose\b|\boverdose\s+happening\b|\bfound\s+a\s+(man|woman|person|guy)\b.{0,40}"
        r"\bbreathing\b",
        r"\b(going|gonna)\s+to\s+step\s+in\s+front\s+of\b|\bgun\s+in\s+(his|her)\s+lap\b",
        r"\b(gun|weapon|blade|knife|pistol)\b.{0,80}\b(on\s+myself|myself)\b|\bholding\s+the\s+"
        r"(blade|gun|knife)\b",
        r"\b(locked|is)\s+(herself|himself|themselves)\s+in\b.{0,60}\b(swallowed|pills|stopped|knife|gun)\b",
        r"\bfresh\s+cuts\b|\bcut\s+her\s+arm\b|\bcut\s+his\s+arm\b",
        # "va a matar a ..." but not "me va a matar (si ...)": as in English, "X is going to
        # kill me" alone is not taken as an emergency
        r"(?<!\bme\s)\b(va\s+a)\s+(apuñalar|matar|disparar)\b",
    ]
)

# Someone else says they will end their life: crisis (the standard reply, 911 if in danger).
OTHERS_AT_RISK = _any(
    [
        r"\b(he'?s|she'?s|they'?re|he|she|they|someone\s+is|my\s+\w+\s+is)\s+(going|gonna|gona)\s+(to\s+)?"
        r"(kill|hurt|cut|shoot|end)\s+(himself|herself|themselves|himslf|his\s+life|her\s+life)\b",
        r"\b(sending|texting|showing)\s+me\b.{0,40}\b(cuts|pills|goodbye)\b",
    ]
)

CRISIS_LANGUAGE = _any(
    [
        r"\bsu+[iy]*[cs]+[iy]*d+[ea]?l?\w*",  # suicide, sucide, suiside, suicidal, suicidel
        r"\bsewerslide\b|\bsewer\s+slide\b|\bunaliv\w*|\bkms\b|\bkys\b|\bctb\b",
        r"\bself[\s-]*harm\w*|\bsh'?d\b|\bautolesi\w*",
        r"\boverdos\w*|\bod'?d\b|\bo\.d\.|\bsobredosis\b",
        r"\bkil+(ed|ing)?\s+"
        + _ME
        + r"|\bkil\s+my\s*self\b|\bkill(ed|ing)?\s+(himself|herself|themselves)\b",
        r"\b(end|ending|ended|take|taking|took)\s+(my|his|her|their|own)\s+(own\s+)?l[iy][fv]e?\b",
        r"\b(tried|attempted|try|trying)\s+to\s+(kill|end|take|hurt)\b|\battempt(s|ed)?\b",
        r"\b(hurt|harm|cut|burn|punish|starv)\w*\s+(" + _ME + r"|himself|herself)\b",
        r"\bcutting\b|\bscars?\b",
        r"\b(took|taken|take|swallowed|ate)\s+(too\s+many|a\s+(bunch|lot|handful)\s+of|all\s+(of\s+)?"
        r"(my|the|her|his))\s+\w*\s*(pills|meds|medication|tablets)\b",
        r"\b(wrote|written|writing)\s+(a\s+|my\s+)?(suicide\s+)?note\b",
        r"\b(want|wanted|wanting)\s+to\s+die\b|\bsuicidal\b",
        r"\bquit[aoó]\w*\s+la\s+vida\b|\bmatar(me|se)\b|\bmorir(me)?\b",
        r"\boff\s+myself\b|\bme\s+mato\b(?!\s+(trabajando|estudiando|de\s+risa))",
    ]
)

# Something is happening now or soon: cancels every frame below.
NOW = _any(
    [
        r"\b(right\s+now|rn|rite\s+now|tonight|tonite|tn|this\s+(weekend|week|time)|after\s+(work|my\s+shift|"
        r"group|tonight))\b",
        # "can't do this anymore", but not "used to be suicidal, not anymore"
        r"(?<!\bnot\s)(?<!\bnot,\s)(?<!\bnot\ssuicidal\s)(?<!\bnot\susing\s)"
        r"(?<!\bnot\scutting\s)\b(anymore|any\s+more)\b",
        r"\b(otra\s+vez|esta\s+noche|ahorita|ahora\s+mismo)\b",
        r"\b(thinking|thoughts?|urges?|it|that|suicide|cutting|using|pills|do|doing|try|trying|started|"
        r"starting|bought|using)\b.{0,25}\b(again|agian)\b",
        r"\b(i\s+)?(just\s+)?relapsed\s+(on|today|tonight|last\s+night|again|this)\b",
        r"\b(just|an?\s+(hour|few\s+minutes)\s+ago|\d+\s+(minutes|mins|hours|hrs)\s+ago|last\s+night|yesterday|"
        r"earlier\s+today|this\s+morning)\b.{0,40}\b(took|swallowed|cut|overdosed|od'?d|attempted|tried|wrote)\b",
        r"\b(took|swallowed|cut|overdosed|od'?d|attempted|tried)\b.{0,40}\b(just\s+now|an?\s+(hour|few\s+minutes)"
        r"\s+ago|\d+\s+(minutes|mins|hours|hrs)\s+ago|last\s+night|yesterday|earlier\s+today|today|this\s+"
        r"morning)\b",
        r"\b(still|keep|keeps|can'?t\s+stop)\s+(want|wanting|thinking|having|feel|feeling|planning|looking)\b",
        # a decision or a plan for it, or using just now
        r"\b(planning|plan|going|gonna|about|ready)\s+to\s+do\s+it\b|\bi'?ve\s+decided\b|"
        r"\bmade\s+up\s+my\s+mind\b|\bya\s+lo\s+decid[ií]\b",
        r"\bjust\s+(used|shot\s+up|did\s+a\s+(line|shot))\b",
    ]
)

PAST = _any(
    [
        r"\b(\d+|a\s+few|few|several|many|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
        r"twenty)\s*\+?\s*(years?|yrs?|decades?|months)\s+(ago|back|later|since|in\s+recovery|clean|sober|"
        r"free|out|now)\b",
        r"\b(years?|yrs?|decades?)\s+(since|after|ago|later)\b|\bfor\s+(\d+|many|several)\s+(years|yrs)\b",
        r"\b(19|20)\d\d\b|\bback\s+(in|then|when)\b|\blast\s+year\b|\ba\s+(long\s+time|decade)\s+ago\b",
        r"\bas\s+an?\s+(teen|teenager|kid|child|young\s+adult)\b|\b(all\s+)?through\s+high\s+school\b",
        r"\bin\s+(high\s+school|middle\s+school|college|my\s+(teens|twenties|20s|thirties|30s|youth))\b",
        r"\bwhen\s+i\s+was\s+(young|younger|little|a\s+(kid|teen|teenager)|\d+)\b|\bfrom\s+\d+\s+to\s+\d+\b",
        r"\bused\s+to\b|\bsurviv(ed|or|ors|ing)\b|\bin\s+(long[- ]term\s+)?recovery\b",
        r"\b(clean|sober)\s+(for|since)\b|\bsince\s+(my|the|then)\b|\blived\s+experience\b",
        r"\bmy\s+(recovery\s+)?story\b|\bhistory\s+of\b|\bmy\s+past\b",
        r"\b(past|old|former)\s+(attempt|overdose|suicid\w*|self[- ]harm|scars|"
        r"hospitali[sz]ation)\b",
        r"\bi'?m\s+(good|ok|okay|fine|doing\s+(well|good|better)|stable)\s+now\b|\bdoing\s+well\b",
        r"\b(was|were)\s+suicidal\b|\bthrough\s+(most\s+of\s+)?(college|high\s+school|my\s+\w+)\b|"
        r"\bgot\s+me\s+through\b|\ba\s+while\s+(back|ago)\b",
        r"\bhace\s+(\d+|\w+)\s+años\b|\bcuando\s+(era|tenía|yo\s+era)\b|\bel\s+año\s+pasado\b|"
        r"\bya\s+estoy\s+bien\b",
    ]
)

_OTHER = (
    r"(brother|sister|mom|mother|dad|father|son|daughter|cousin|aunt|uncle|husband|wife|partner|boyfriend|"
    r"girlfriend|friend|grandfather|grandmother|grandpa|grandma|niece|nephew|coworker|client|clients|tenant|"
    r"tenants|peer|peers|classmate|roommate|neighbor|kid|child|family\s+member|people|person|someone|"
    r"tía|tío|hermano|hermana|mamá|papá|madre|padre|amigo|amiga|primo|prima|abuelo|abuela)"
)
OTHERS = _any(
    [
        r"\b(my|our|a|his|her|their|one\s+of\s+my|mi|su)\s+(\w+\s+)?"
        + _OTHER
        + r"\b.{0,60}\b(died|passed|"
        r"killed\s+(himself|herself|themselves)|took\s+(his|her|their)\s+(own\s+)?life|died\s+by\s+suicide|"
        r"overdosed|od'?d|attempted|committed\s+suicide|se\s+quit[oó]\s+la\s+vida|muri[oó]|falleci[oó]|"
        r"have\s+overdosed|lost|was\s+in\s+crisis|had\s+a\s+crisis)\b",
        r"\b(lost|losing)\s+(my|a|our|two|three|several|many)\s+(\w+\s+)?" + _OTHER + r"s?\s+to\b",
        r"\b\w+'s\s+(suicide|overdose|suicide\s+attempt)\b|"
        r"\b(she|he|they)\s+(sometimes\s+)?(wished|wishes|wanted|said|told\s+me)\b.{0,40}\b(she|he|they)\b|"
        r"\b(his|her|their)\s+(suicide|overdose|attempt)\b|\bdied\s+(by|of|from)\s+(suicide|an?\s+overdose)\b",
    ]
)

WORK = _any(
    [
        r"\b(training|trainings|trainer|prevention|course|class|module|curriculum|certif\w*|exam|cert|"
        r"policy|policies|protocol|awareness|statistics|stats|research|data|grant|paper|thesis|article|agenda|"
        r"petition|workforce|credential|deadline|funding|rates?|program|programs|agency|organi[sz]ations?|"
        r"employer|employers|staff|initiative|hotlines?|harm\s+reduction|reversals?|response\s+teams?|"
        r"messaging|warmline|988|lifeline|naloxone|narcan|qpr|asist|safetalk|first\s+aid|trained|"
        r"framework|emergency\s+rooms?|flyers?)\b",
        r"\bwork(s|ing)?\s+(in|at|on|for|with)\b|\bsupporting\s+(people|someone|clients|others|a\s+client|"
        r"peers|a\s+peer|them)\b",
        r"\b(job|jobs|career|hire|hiring|hired|salary|pay|paid|wage|wages|position|positions|role|intern\w*|"
        r"volunteer\w*|apply|applying|application|resume|interview|linkedin|cover\s+letter|disclose|hr)\b",
        r"\b(someone|people|a\s+person|clients?|peers?|a\s+peer|tenants?|residents?|those)\s+"
        r"(who|that|i|we|they|you)\b",
        r"\bhow\s+(do|can|should|would|to)\s+(i|we|peers?|a\s+peer|you|staff)?\s*(help|support|respond|talk|"
        r"handle|react|bring|stay|deal)\b",
        r"\b(crisis|emergency)\s+(line|center|centre|team|worker|services?|intervention|module|stabilization|"
        r"room|department|respite)\b|\bmobile\s+crisis\b",
        r"\bpeer\s+(specialists?|support|workers?|work|supporters?|roles?|recovery|advocates?)\b|"
        r"\brecovery\s+coach(es)?\b|"
        r"\bsupervis\w*\b|\bcaseload\b",
        r"\b(trabajo|empleo|sueldo|tesis|estudio|prevención|capacitación|certificación|empleador)\b",
    ]
)

# Plainly hypothetical: an emergency is a subject, not happening.
HYPOTHETICAL = re.compile(
    r"\b(if|in\s+case|suppose|what\s+if|whenever|drill|scenario|role\s*play|practice|training|policy|"
    r"protocol)\b"
)

IDIOMS = _any(
    [
        r"\b(is|was|are|it'?s|gonna|going\s+to)\s+(killing|murdering|murdered)\s+(me|my)\b|"
        r"\b(killing|murdered)\s+me\b",
        r"\b(gonna|going\s+to|will)\s+kill\s+me\b",
        r"\b(kill|die)\s+for\s+(a|an|some|the|that)\b|\bdying\s+(to|of|for)\b|\bto\s+die\s+for\b",
        r"\bdead\s+(tired|end|serious|last|on\s+my\s+feet|ringer)\b|\bknock(ed)?\s+('?em|them)\s+dead\b",
        r"\b(i'?m|im)\s+dead\b|\bcould\s+(just\s+)?die\s+(of|from)\b|\bbored\s+to\s+death\b|\bso\s+\w+\s+i\s+"
        r"could\s+die\b",
        r"\b(shoot|shot)\s+me\s+(an?|the)\s+(email|text|message|note|line)\b",
        r"\boverdos\w*\s+on\s+(coffee|caffeine|sugar|candy|chocolate|pizza|tv|netflix|work|meetings)\b",
        r"\bme\s+(est[aá]s?|est[aá]n)\s+matando\b|\bme\s+mató\b|"
        r"\bme\s+mato\s+(trabajando|estudiando|de\s+risa|con\s+(el|la|los|las))\b|"
        r"\b(me|nos)\s+va\s+a\s+matar\s+si\b|\bme\s+muero\s+(de|por)\b|"
        r"\bmuert[oa]\s+de\s+(cansancio|sueño|hambre|risa)\b|\bpara\s+morirse\b",
        r"\btear\s+my\s+hair\s+out\b|\bbombed\b|\bslammed\b|\b(the\s+)?death\s+of\s+me\b",
        r"\bkill(ing)?\s+it\s+(at|in|on|with|today|this|tomorrow)\b|\bdead\s+💀|\b(lol|lmao)\b.{0,10}\bdead\b",
        r"\bend\s+(a|the|my|our)\s+(peer\s+)?(relationship|session|call|conversation|meeting|chat|shift|day|"
        r"contract|lease|job|group)\b",
    ]
)


def _search(pattern: re.Pattern[str], plain: str) -> bool:
    return bool(pattern.search(plain) or pattern.search(squeeze(plain)))


def present_risk(plain: str) -> bool:
    """Present risk to the person themselves, or to someone else they speak of."""
    return any(_search(p, plain) for p in (PRESENT_RISK, PRESENT_RISK_ES, OTHERS_AT_RISK))


def spanish_risk(plain: str) -> bool:
    return _search(PRESENT_RISK_ES, plain)


def emergency(plain: str) -> bool:
    """Someone in danger now, unless plainly hypothetical with nothing happening now."""
    if not _search(EMERGENCY, plain):
        return False
    return not (HYPOTHETICAL.search(plain) and not NOW.search(plain))


def crisis_language(plain: str) -> bool:
    return _search(CRISIS_LANGUAGE, plain)


def frame(plain: str) -> str:
    """Why crisis language here may not be present risk: "past", "others", "work", or ""."""
    if NOW.search(plain):
        return ""
    if PAST.search(plain):
        return "past"
    if OTHERS.search(plain):
        return "others"
    if WORK.search(plain):
        return "work"
    return ""


def idiom(plain: str) -> bool:
    return bool(IDIOMS.search(plain))


def matches(text: str) -> bool:
    """Whether `text` uses explicit crisis language that isn't framed away (used by reports)."""
    plain = normalize(text)
    return present_risk(plain) or emergency(plain) or (crisis_language(plain) and not frame(plain))
