"""Rasa's REST output is merged into whole messages."""

from __future__ import annotations

from bot.rasa.replies import normalize


def test_custom_payload_is_merged_into_the_message_before_it() -> None:
    raw = [
        {
            "recipient_id": "x",
            "text": "Peers earn...",
            "buttons": [{"title": "More", "payload": "/more"}],
        },
        {"recipient_id": "x", "custom": {"sources": [{"title": "Wages", "section": "Pay"}]}},
        {"recipient_id": "x", "text": "Anything else?"},
    ]
    messages = [m.to_dict() for m in normalize(raw)]
    assert messages == [
        {
            "text": "Peers earn...",
            "buttons": [{"title": "More", "payload": "/more"}],
            "sources": [{"title": "Wages", "section": "Pay"}],
        },
        {"text": "Anything else?"},
    ]


def test_custom_payload_with_text_stands_alone() -> None:
    raw = [{"custom": {"text": "Call 988", "kind": "crisis"}}]
    assert [m.to_dict() for m in normalize(raw)] == [{"text": "Call 988", "kind": "crisis"}]


def test_junk_entries_are_dropped() -> None:
    raw = [None, "text", {"buttons": "nope"}, {"text": ""}, {"custom": {"sources": "x"}}]
    assert normalize(raw) == ()  # type: ignore[arg-type]
