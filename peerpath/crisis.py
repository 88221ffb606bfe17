"""What PeerPath says to someone in crisis, and the quiet line after a sensitive answer.

The same words from every process: the gateway says them at once when its
safety net grades a message `crisis`; Rasa's own crisis action says them when
its NLU catches one the net did not. English and Spanish (the 988 Lifeline's
Spanish line: call 988 and press 2, or text AYUDA to 988). When someone is in
danger from violence or a weapon, or someone else is unresponsive or hurt,
911 comes first.
"""

from __future__ import annotations

from peerpath.protocol import Command, MessageKind
from peerpath.types import Button, OutMessage

CRISIS_TEXT = (
    "I'm really glad you told me, and I'm sorry you're going through this. "
    "You deserve support from a real person right now:\n"
    "• Call or text 988 (Suicide & Crisis Lifeline), any time, day or night.\n"
    "• Text HOME to 741741 (Crisis Text Line).\n"
    "• If you or someone else is in immediate danger, call 911.\n"
    "I can also connect you with a peer supporter here, as soon as one is free."
)
EMERGENCY_TEXT = (
    "Please call 911 now: someone is in danger, and that comes first.\n"
    "• If you can, get to a safe place, and stay on the line with 911.\n"
    "• Afterwards, or any time you need to talk, call or text 988 "
    "(Suicide & Crisis Lifeline).\n"
    "• Text HOME to 741741 (Crisis Text Line).\n"
    "I can also connect you with a peer supporter here, as soon as one is free."
)
CRISIS_TEXT_ES = (
    "Me alegra mucho que me lo hayas dicho, y siento que estés pasando por esto. "
    "Mereces el apoyo de una persona real ahora mismo:\n"
    "• Llama al 988 y marca 2 para hablar en español, o envía AYUDA por mensaje de texto "
    "al 988 (Línea 988 de Prevención del Suicidio y Crisis), a cualquier hora.\n"
    "• Envía AYUDA al 741741 (Crisis Text Line), o por WhatsApp al 442-AYUDAME.\n"
    "• Si tú u otra persona están en peligro inmediato, llama al 911.\n"
    "También puedo conectarte aquí con una persona de apoyo entre pares en cuanto haya "
    "una disponible."
)
EMERGENCY_TEXT_ES = (
    "Por favor, llama al 911 ahora: alguien está en peligro, y eso va primero.\n"
    "• Si puedes, ve a un lugar seguro y sigue en la línea con el 911.\n"
    "• Después, o cuando necesites hablar, llama al 988 y marca 2 para español, o envía "
    "AYUDA por mensaje de texto al 988 (Línea 988 de Prevención del Suicidio y Crisis).\n"
    "• Envía AYUDA al 741741 (Crisis Text Line).\n"
    "También puedo conectarte aquí con una persona de apoyo entre pares en cuanto haya "
    "una disponible."
)
CARE_TEXT = (
    "If any of this ever feels heavy, the 988 Suicide & Crisis Lifeline is there any time: "
    "call or text 988."
)
CARE_TEXT_ES = (
    "Si en algún momento esto te pesa, la Línea 988 está a cualquier hora: llama o envía "
    "un mensaje de texto al 988 (marca 2 para español)."
)

CONNECT = {
    "en": Button("Connect me with a peer", Command.CONNECT_URGENT),
    "es": Button("Conéctame con una persona de apoyo", Command.CONNECT_URGENT),
}
CRISIS_BUTTONS = (CONNECT["en"],)


def crisis_message(
    lang: str = "en", emergency: bool = False, offer_peer: bool = True
) -> OutMessage:
    """The crisis reply: 988, 741741 and 911 (first, in an emergency), and a peer."""
    spanish = lang == "es"
    if emergency:
        text = EMERGENCY_TEXT_ES if spanish else EMERGENCY_TEXT
    else:
        text = CRISIS_TEXT_ES if spanish else CRISIS_TEXT
    buttons = (CONNECT["es" if spanish else "en"],) if offer_peer else ()
    return OutMessage(text=text, buttons=buttons, kind=MessageKind.CRISIS)


def care_message(lang: str = "en") -> OutMessage:
    """The one quiet line after an answer that touched on crisis, suicide or overdose."""
    return OutMessage(text=CARE_TEXT_ES if lang == "es" else CARE_TEXT, kind=MessageKind.CARE)
