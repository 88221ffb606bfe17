"""The peer desk's own records: staff accounts, the audit trail, notes on tickets, and
the team's saved replies.

Accounts keep only a SHA-256 of their token: a token is shown once, when an
account is added or its token rotated, and a lost one is rotated, never read
back. The audit trail says who did what to which ticket or account, and when,
never what was written. Notes are for staff only; they go with the ticket's
messages (retention, /forget).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from bot.handoff.store import (
    HandoffStore,
    SavedReply,
    StaffAccount,
    StaffAction,
    Ticket,
    TicketNote,
    aware,
    now,
)
from peerpath.errors import HandoffError
from peerpath.protocol import TicketState

ROLES = ("peer", "lead")
MAX_NOTE = 4000
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .'_-")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A console token: 32 URL-safe characters, never starting with "-"."""
    return "p" + secrets.token_urlsafe(24)


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 64 or not set(name) <= NAME_CHARS:
        raise HandoffError("A name is 1 to 64 letters, digits, spaces or . ' _ -", 400)
    return name


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "active": self.active}


class Desk:
    """Short transactions over the desk's tables (the hand-off store's database)."""

    def __init__(self, store: HandoffStore) -> None:
        self.store = store

    # --- accounts ---------------------------------------------------------------

    def add_account(self, name: str, role: str) -> str:
        """A new account; returns its token (shown once)."""
        name = check_name(name)
        if role not in ROLES:
            raise HandoffError(f"A role is one of: {', '.join(ROLES)}.", 400)
        token = new_token()
        try:
            with self.store.session() as s:
                s.add(StaffAccount(name=name, role=role, token_hash=token_hash(token)))
        except IntegrityError:
            raise HandoffError(f"There is already an account named {name}.", 409) from None
        return token

    def rotate(self, name: str) -> str:
        """A new token for an account (the old one stops working); returns it once."""
        token = new_token()
        if not self._change(name, token_hash=token_hash(token), active=True):
            raise HandoffError(f"No account named {name}.", 404)
        return token

    def disable(self, name: str) -> None:
        if not self._change(name, active=False):
            raise HandoffError(f"No account named {name}.", 404)

    def _change(self, name: str, **values: Any) -> bool:
        with self.store.session() as s:
            result = s.execute(
                update(StaffAccount).where(StaffAccount.name == name).values(**values)
            )
            return cast(CursorResult[Any], result).rowcount == 1

    def accounts(self) -> list[Account]:
        with self.store.session() as s:
            rows = s.scalars(select(StaffAccount).order_by(StaffAccount.name))
            return [Account(a.name, a.role, a.active) for a in rows]

    def account_for(self, token: str) -> Account | None:
        """The active account a token belongs to (looked up by its hash)."""
        with self.store.session() as s:
            found = s.scalars(
                select(StaffAccount).where(
                    StaffAccount.token_hash == token_hash(token), StaffAccount.active.is_(True)
                )
            ).first()
            return Account(found.name, found.role, found.active) if found else None

    def account(self, name: str) -> Account | None:
        with self.store.session() as s:
            found = s.get(StaffAccount, name)
            return Account(found.name, found.role, found.active) if found else None

    # --- the audit trail --------------------------------------------------------

    def record(self, actor: str, action: str, ticket_id: str = "", target: str = "") -> None:
        with self.store.session() as s:
            s.add(StaffAction(actor=actor, action=action, ticket_id=ticket_id, target=target))

    def audit(self, limit: int = 200) -> list[dict[str, str]]:
        with self.store.session() as s:
            rows = s.scalars(select(StaffAction).order_by(StaffAction.id.desc()).limit(limit))
            return [
                {"at": (aware(r.at) or now()).isoformat(), "actor": r.actor,
                 "action": r.action, "ticket_id": r.ticket_id, "target": r.target}
                for r in rows
            ]  # fmt: skip

    def actions_between(
        self, action: str, start: dt.datetime, end: dt.datetime
    ) -> list[dt.datetime]:
        """When `action` was taken in [start, end) (the report counts callbacks done)."""
        with self.store.session() as s:
            found = s.scalars(
                select(StaffAction.at).where(
                    StaffAction.action == action, StaffAction.at >= start, StaffAction.at < end
                )
            )
            return [aware(at) or now() for at in found]

    # --- notes ------------------------------------------------------------------

    def add_note(self, ticket_id: str, author: str, text: str) -> None:
        text = text.strip()[:MAX_NOTE]
        if not text:
            raise HandoffError("The note is empty.", 400)
        with self.store.session() as s:
            s.add(TicketNote(ticket_id=ticket_id, author=author, text=text))

    def notes(self, ticket_id: str) -> list[dict[str, str]]:
        with self.store.session() as s:
            rows = s.scalars(
                select(TicketNote).where(TicketNote.ticket_id == ticket_id).order_by(TicketNote.id)
            )
            return [
                {"author": n.author, "text": n.text,
                 "at": (aware(n.created_at) or now()).isoformat()}
                for n in rows
            ]  # fmt: skip

    # --- saved replies ------------------------------------------------------------

    def replies(self, lang: str = "") -> list[dict[str, str]]:
        """The team's saved replies, by title; with `lang`, those for it or for any."""
        with self.store.session() as s:
            query = select(SavedReply).order_by(SavedReply.title)
            if lang:
                query = query.where(SavedReply.lang.in_([lang, ""]))
            return [{"title": r.title, "text": r.text, "lang": r.lang} for r in s.scalars(query)]

    def save_reply(self, title: str, text: str, lang: str, author: str) -> None:
        """Add a saved reply, or change the one with this title."""
        title, text = " ".join(title.split()), text.strip()
        if not 1 <= len(title) <= 80 or not text or len(text) > MAX_NOTE:
            raise HandoffError("A saved reply has a title (up to 80 characters) and a text.", 400)
        if lang not in ("", "en", "es"):
            raise HandoffError("lang is en, es, or empty for any language.", 400)
        with self.store.session() as s:
            found = s.get(SavedReply, title)
            if found is None:
                s.add(SavedReply(title=title, text=text, lang=lang, updated_by=author))
            else:
                found.text, found.lang, found.updated_by, found.updated_at = (
                    text,
                    lang,
                    author,
                    now(),
                )

    def delete_reply(self, title: str) -> None:
        with self.store.session() as s:
            found = s.get(SavedReply, title)
            if found is None:
                raise HandoffError(f"No saved reply titled {title}.", 404)
            s.delete(found)

    # --- passing a ticket on ----------------------------------------------------

    def hand_over(self, ticket_id: str, holder: str, peer_id: str, peer_name: str) -> bool:
        """Give a claimed ticket from `holder` (a peer id) to another peer; False if the
        holder no longer has it. One conditional UPDATE, like a claim."""
        return self._pass(ticket_id, holder, peer_id=peer_id, peer_name=peer_name)

    def release(self, ticket_id: str, holder: str) -> bool:
        """Put a claimed ticket back in the queue, waiting for any peer."""
        return self._pass(
            ticket_id, holder, state=TicketState.WAITING, peer_id="", peer_name="", claimed_at=None
        )

    def _pass(self, ticket_id: str, holder: str, **values: Any) -> bool:
        with self.store.session() as s:
            result = s.execute(
                update(Ticket)
                .where(
                    Ticket.id == ticket_id,
                    Ticket.state == TicketState.CLAIMED,
                    Ticket.peer_id == holder,
                )
                .values(**values)
            )
            return cast(CursorResult[Any], result).rowcount == 1
