"""What PeerPath says to someone in crisis, and the quiet line after a sensitive answer.

The same words from every process: the gateway says them at once when its
safety net grades a message `crisis`; Rasa's own crisis action says them when
its NLU catches one the net did not. Three cards (protocol.Card), each in
English and Spanish (the 988 Lifeline's Spanish line: call 988 and press 2,
or text AYUDA to 988):

- SELF, the person's own risk: 988 first, the Crisis Text Line, 911 for
  immediate danger, a peer.
- SELF_EMERGENCY, their own life in danger this minute (pills taken, a
  poison swallowed, bleeding, on a ledge): 911 first, Poison Control for
  something swallowed, then 988.
- BYSTANDER, someone else in danger: 911 first, what to do until help comes
  (stay with them if it is safe, Poison Control, naloxone), 988 can coach
  the caller.
"""

from __future__ import annotations

import json

from peerpath.protocol import Card, Command, MessageKind
from peerpath.types import Button, OutMessage

POISON_CONTROL = "1-800-222-1222"

CRISIS_TEXT = (
    "I'm really glad you told me, and I'm sorry you're going through this. "
    "You deserve support from a real person right now:\n"
    "• Call or text 988 (Suicide & Crisis Lifeline), any time, day or night.\n"
    "• Text HOME to 741741 (Crisis Text Line).\n"
    "• If you or someone else is in immediate danger, call 911.\n"
    "I can also connect you with a peer supporter here, as soon as one is free."
)
SELF_EMERGENCY_TEXT = (
    "Please call 911 now, or ask someone near you to call. This can't wait, "
    "and you deserve help right now.\n"
    "• If you swallowed something or took too much of a medicine or drug, Poison Control "
    f"can help too: {POISON_CONTROL}, any time.\n"
    "• If someone is nearby, tell them now, and stay where help can reach you.\n"
    "• When you can, or any time you need to talk: call or text 988 "
    "(Suicide & Crisis Lifeline).\n"
    "I can also connect you with a peer supporter here, as soon as one is free."
)
BYSTANDER_TEXT = (
    "Please call 911 now: their life may be in danger, and that comes first.\n"
    "Until help arrives:\n"
    "• Stay with them if it is safe for you, and don't leave them alone. If you are in "
    "danger yourself, get to safety first.\n"
    f"• If they swallowed a poison or too much of a medicine: Poison Control, {POISON_CONTROL}.\n"
    "• If it may be an opioid overdose and naloxone (Narcan) is there, give it, and lay "
    "them on their side.\n"
    "• 988 can also talk you through what to do: call or text 988.\n"
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
SELF_EMERGENCY_TEXT_ES = (
    "Por favor, llama al 911 ahora, o pide a alguien cerca de ti que llame. Esto no puede "
    "esperar, y mereces ayuda ahora mismo.\n"
    "• Si tragaste algo o tomaste demasiado de una medicina o droga, el Centro de Control "
    f"de Envenenamientos también ayuda: {POISON_CONTROL}, a cualquier hora (en español).\n"
    "• Si hay alguien cerca, díselo ahora, y quédate donde la ayuda pueda llegar a ti.\n"
    "• Cuando puedas, o cuando necesites hablar: llama al 988 y marca 2, o envía AYUDA "
    "por mensaje de texto al 988.\n"
    "También puedo conectarte aquí con una persona de apoyo entre pares en cuanto haya "
    "una disponible."
)
BYSTANDER_TEXT_ES = (
    "Por favor, llama al 911 ahora: su vida puede estar en peligro, y eso va primero.\n"
    "Mientras llega la ayuda:\n"
    "• Quédate con la persona si es seguro para ti, y no la dejes sola. Si tú estás en "
    "peligro, ponte a salvo primero.\n"
    "• Si tragó un veneno o demasiado de una medicina: Centro de Control de "
    f"Envenenamientos, {POISON_CONTROL} (en español).\n"
    "• Si puede ser una sobredosis de opioides y tienes naloxona (Narcan), úsala, y "
    "acuéstala de lado.\n"
    "• El 988 también te puede guiar: llama al 988 y marca 2, o envía AYUDA al 988.\n"
    "También puedo conectarte aquí con una persona de apoyo entre pares en cuanto haya "
    "una disponible."
)
CARD_TEXT = {
    ("en", Card.SELF): CRISIS_TEXT,
    ("en", Card.SELF_EMERGENCY): SELF_EMERGENCY_TEXT,
    ("en", Card.BYSTANDER): BYSTANDER_TEXT,
    ("es", Card.SELF): CRISIS_TEXT_ES,
    ("es", Card.SELF_EMERGENCY): SELF_EMERGENCY_TEXT_ES,
    ("es", Card.BYSTANDER): BYSTANDER_TEXT_ES,
}
CARE_TEXT = (
    "If any of this ever feels heavy, the 988 Suicide & Crisis Lifeline is there any time: "
    "call or text 988."
)
CARE_TEXT_ES = (
    "Si en algún momento esto te pesa, la Línea 988 está a cualquier hora: llama o envía "
    "un mensaje de texto al 988 (marca 2 para español)."
)

CONNECT_TITLE = {
    "en": "Connect me with a peer",
    "es": "Conéctame con una persona de apoyo",
}


def connect_button(lang: str = "en", card: Card = Card.SELF) -> Button:
    """The crisis reply's button: a peer at once, the ticket marked urgent with the card shown."""
    title = CONNECT_TITLE["es" if lang == "es" else "en"]
    return Button(title, Command.CONNECT_URGENT + json.dumps({"card": str(card)}))


def crisis_message(lang: str = "en", card: Card = Card.SELF, offer_peer: bool = True) -> OutMessage:
    """The crisis reply that fits `card`, in the person's language, with a peer offered."""
    text = CARD_TEXT["es" if lang == "es" else "en", card]
    buttons = (connect_button(lang, card),) if offer_peer else ()
    return OutMessage(text=text, buttons=buttons, kind=MessageKind.CRISIS)


def care_message(lang: str = "en") -> OutMessage:
    """The one quiet line after an answer that touched on crisis, suicide or overdose."""
    return OutMessage(text=CARE_TEXT_ES if lang == "es" else CARE_TEXT, kind=MessageKind.CARE)
