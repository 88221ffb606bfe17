"""Turning PeerPath messages into Telegram messages.

HTML parse mode: only &, < and > need escaping, so text full of Markdown
punctuation (_*[]()~`>#+-=|{}.!) arrives exactly as written. Long text is
split under Telegram's 4,096-character limit at paragraph boundaries.
Button payloads can be longer than the 64 bytes Telegram allows in
callback_data, so buttons carry a short key for the payload instead.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from peerpath.types import OutMessage

LIMIT = 4096
PAYLOAD_PREFIX = "p:"


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at blank lines, then lines, then words."""
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for chunk in _split_part(paragraph, limit):
            candidate = f"{current}\n\n{chunk}" if current else chunk
            if len(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = chunk
    if current:
        pieces.append(current)
    return pieces


def _split_part(part: str, limit: int) -> list[str]:
    """One paragraph longer than the limit: cut at line ends, then spaces, then hard."""
    out: list[str] = []
    rest = part
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(rest)
    return out


def html(message: OutMessage) -> str:
    """The message as Telegram HTML: escaped text, then its sources as links."""
    parts = [escape(message.text, quote=False)]
    if message.kind == "crisis":
        parts[0] = f"<b>{parts[0]}</b>"
    links = []
    for source in message.sources:
        label = escape(
            source.title + (f" — {source.section}" if source.section else ""), quote=False
        )
        if source.url.startswith(("https://", "http://")):
            links.append(f'• <a href="{escape(source.url)}">{label}</a>')
        else:
            links.append(f"• {label}")
    if links:
        parts.append("Sources:\n" + "\n".join(links))
    return "\n\n".join(p for p in parts if p)


class Payloads:
    """Short keys for button payloads (callback_data holds at most 64 bytes).

    In this process's memory; with REDIS_URL, bot/shared/payloads.py keeps
    them in Redis too, so a button works after a restart or on another gateway.
    """

    def __init__(self, capacity: int = 20_000) -> None:
        self._by_key: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def key(self, payload: str) -> str:
        key = PAYLOAD_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:16]
        self._by_key[key] = payload
        self._by_key.move_to_end(key)
        while len(self._by_key) > self._capacity:
            self._by_key.popitem(last=False)
        return key

    def payload(self, key: str) -> str | None:
        return self._by_key.get(key)

    async def save(self) -> None:
        """Make the keys handed out so far findable by a tap (in memory, they already are)."""

    async def find(self, key: str) -> str | None:
        """The payload behind a tapped button's key, or None when it has expired."""
        return self.payload(key)


def keyboard(
    message: OutMessage, payloads: Payloads, raw: bool = False
) -> InlineKeyboardMarkup | None:
    """The message's buttons as an inline keyboard, one button per row.

    `raw` buttons carry their payload itself (short, channel-level actions).
    """
    if not message.buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(
                button.title[:64],
                callback_data=button.payload if raw else payloads.key(button.payload),
            )
        ]
        for button in message.buttons
    ]
    return InlineKeyboardMarkup(rows)


def render(
    message: OutMessage, payloads: Payloads, raw_buttons: bool = False
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """(text, keyboard) per Telegram message; the keyboard goes on the last piece."""
    pieces = split(html(message))
    markup = keyboard(message, payloads, raw_buttons)
    return [(piece, markup if i == len(pieces) - 1 else None) for i, piece in enumerate(pieces)]
