"""The shapes every channel shares: what a person sends, what PeerPath answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "busy", "degraded", "unavailable"]


@dataclass(frozen=True)
class Button:
    """A choice offered with a message; `payload` is what a tap sends back."""

    title: str
    payload: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Button:
        return cls(str(data.get("title") or ""), str(data.get("payload") or ""))


@dataclass(frozen=True)
class Source:
    """Where an answer comes from: an article and section of the knowledge base."""

    title: str
    section: str = ""
    url: str = ""
    doc: str = ""
    chunk_id: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(
            title=str(data.get("title") or ""),
            section=str(data.get("section") or data.get("heading") or ""),
            url=str(data.get("url") or ""),
            doc=str(data.get("doc") or ""),
            chunk_id=str(data.get("chunk_id") or ""),
        )

    def to_dict(self) -> dict[str, str]:
        return {key: value for key, value in self.__dict__.items() if value}


@dataclass(frozen=True)
class OutMessage:
    """One message to show a person; empty fields are left out of the JSON."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    sources: tuple[Source, ...] = ()
    kind: str = ""  # "answer", "crisis", "handoff", "notice"... for channels that style them

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.text:
            out["text"] = self.text
        if self.buttons:
            out["buttons"] = [button.to_dict() for button in self.buttons]
        if self.sources:
            out["sources"] = [source.to_dict() for source in self.sources]
        if self.kind:
            out["kind"] = self.kind
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutMessage:
        return cls(
            text=str(data.get("text") or ""),
            buttons=tuple(Button.from_dict(b) for b in data.get("buttons") or ()),
            sources=tuple(Source.from_dict(s) for s in data.get("sources") or ()),
            kind=str(data.get("kind") or ""),
        )


@dataclass(frozen=True)
class Reply:
    """Everything PeerPath says back to one incoming message."""

    messages: tuple[OutMessage, ...] = ()
    status: Status = "ok"
    handoff: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"messages": [message.to_dict() for message in self.messages]}
        if self.status != "ok":
            out["status"] = self.status
        if self.handoff:
            out["handoff"] = self.handoff
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        """The reply `to_dict` wrote (a kept reply, read back for a retried message)."""
        status = data.get("status", "ok")
        return cls(
            tuple(OutMessage.from_dict(m) for m in data.get("messages") or ()),
            status if status in ("ok", "busy", "degraded", "unavailable") else "ok",
            data.get("handoff") or None,
        )
