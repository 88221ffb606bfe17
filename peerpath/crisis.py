"""What PeerPath says to someone in crisis: the same words from every process.

The gateway says it at once when its safety net grades a message `crisis`;
Rasa's own crisis action says it when its NLU catches one the net did not.
"""

from __future__ import annotations

from peerpath.protocol import REQUEST_HUMAN
from peerpath.types import Button

CRISIS_TEXT = (
    "I'm really glad you told me, and I'm sorry you're going through this. "
    "You deserve support from a real person right now:\n"
    "• Call or text 988 (Suicide & Crisis Lifeline), any time, day or night.\n"
    "• Text HOME to 741741 (Crisis Text Line).\n"
    "• If you or someone else is in immediate danger, call 911.\n"
    "I can also connect you with a peer supporter here, as soon as one is free."
)
CRISIS_BUTTONS = (Button("Connect me with a peer", REQUEST_HUMAN),)
