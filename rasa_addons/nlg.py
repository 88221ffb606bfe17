"""Rasa's responses in the conversation's language.

Rasa's own generator picks a response of domain.yml; this one then says it in
the language the gateway sent with the latest message (MessageMeta.lang), from
the catalogue every process shares (peerpath.catalogue). Set in endpoints.yml
(`nlg: type: rasa_addons.nlg.LanguageNLG`).
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from peerpath.catalogue import buttons, tr
from peerpath.protocol import MessageMeta


class LanguageNLG(TemplatedNaturalLanguageGenerator):
    """The domain's responses, said in the conversation's language."""

    def __init__(self, endpoint_config: Any = None, domain: Domain | None = None) -> None:
        super().__init__(domain.responses if domain is not None else {})

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        said = await super().generate(utter_action, tracker, output_channel, **kwargs)
        meta = MessageMeta.from_metadata(tracker.latest_message.metadata)
        lang = meta.lang if meta is not None else "en"
        if said is None or lang == "en":
            return said
        out = dict(said)
        if out.get("text"):
            out["text"] = tr(lang, str(out["text"]))
        if out.get("buttons"):
            out["buttons"] = buttons(lang, out["buttons"])
        return out
