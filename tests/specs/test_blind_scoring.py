"""The one thing eval/blind_run.py scores itself: whether a reply offers a peer."""

from __future__ import annotations

import pytest

from eval.blind_run import offers_peer


def consent(title: str) -> dict:
    return {"messages": [{"text": "…?", "buttons": [{"title": title, "payload": "/affirm"}]}]}


@pytest.mark.parametrize(
    ("reply", "offered"),
    [
        (consent("Yes, connect me"), True),
        (consent("Sí, conéctame"), True),  # missed before accents were folded
        (consent("Yes, tell me more"), False),
        ({"messages": [{"buttons": [{"title": "Talk to a peer", "payload": "/request_human"}]}]},
         True),
        ({"messages": [{"text": "Peers earn about $17."}]}, False),
        ({"messages": [], "handoff": {"state": "waiting"}}, True),
    ],
)  # fmt: skip
def test_an_offer_of_a_peer_is_seen_in_either_language(reply: dict, offered: bool) -> None:
    assert offers_peer(reply) is offered
