"""A direct question, or a request for a guided flow? (Python 3.10; Rasa's NLU uses it.)

"Where do I get advice on how a job changes my SSI?" is a question with an
answer in the knowledge base: it is answered, and the benefits check is
offered as a button. "Help me check my benefits" asks for the guided flow,
which starts at once. The NLU's flow intents are demoted to the matching topic
intent when the message is a direct question that asks for no walk-through.
"""

from __future__ import annotations

import re

# The flow intents and the topic intent a direct question goes to instead.
TOPIC_OF_FLOW = {"start_benefits_check": "ask_benefits", "find_training": "ask_training"}

_GUIDED = re.compile(
    r"\b(check|checks|checker|walk\s+me|walkthrough|walk-through|go\s+(through|over)|step\s+by\s+step|"
    r"one\s+step|guide\s+me|ask\s+me|take\s+me\s+through|look\s+at\s+my|sort\s+out|work\s+out|"
    r"figure\s+out|help\s+me|run|start|do\s+(my|the|a)|my\s+(own\s+)?situation|personal(ly)?|"
    r"find\s+(me\s+)?(a|an|some)?\s*train\w*|search|near\s+me|in\s+my\s+(state|area)|"
    r"training\s+finder|finder)\b",
    re.IGNORECASE,
)
_DIRECT = re.compile(
    r"^\W*(where|what|how|who|why|when|which|is|are|does|do|can|could|will|would|should)\b|\?\s*$",
    re.IGNORECASE,
)


# "who can help me with ..." asks where help is, not to be helped through a flow
_WHO_HELPS = re.compile(
    r"\b(who|where|what|which\s+\w+)\s+(can|could|will|would|might)\s+help\s+(me|us)\b",
    re.IGNORECASE,
)


def direct_question(text: str) -> bool:
    """A question to answer, not a request to be walked through a flow."""
    return bool(_DIRECT.search(text)) and not _GUIDED.search(_WHO_HELPS.sub(" ", text))
