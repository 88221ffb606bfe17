"""The actions speak the conversation's language.

The gateway sends the conversation's language with every message
(MessageMeta.lang). The action server runs every action with a dispatcher in
that language (SpeakingExecutor): what an action says with an English text
of the catalogue (peerpath.catalogue), and its buttons' titles, are said in
Spanish to a Spanish conversation. Texts an action builds itself (an answer
with its source line) ask `language_of(tracker)` and the catalogue.
Responses of the domain (`response="utter_..."`) are Rasa's to say: its
language-aware generator (rasa_addons/nlg.py) says them.
"""

from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult, CollectingDispatcher

from actions import metrics
from peerpath.catalogue import buttons, tr
from peerpath.protocol import MessageMeta


def _language(metadata: Any) -> str:
    meta = MessageMeta.from_metadata(metadata)
    return meta.lang if meta is not None and meta.lang in ("en", "es") else "en"


def language_of(tracker: Tracker) -> str:
    """The conversation's language, as the gateway sent it with the latest message."""
    return _language(tracker.latest_message.get("metadata"))


class Speaker(CollectingDispatcher):
    """A CollectingDispatcher that says catalogue texts and button titles in `lang`."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def utter_message(
        self,
        text: str | None = None,
        image: str | None = None,
        json_message: dict[str, Any] | None = None,
        template: str | None = None,
        response: str | None = None,
        attachment: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        elements: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().utter_message(
            text=tr(self.lang, text) if text else text,
            image=image,
            json_message=json_message,
            template=template,
            response=response,
            attachment=attachment,
            buttons=_titles(self.lang, buttons),
            elements=elements,
            **kwargs,
        )


def _titles(lang: str, items: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    return buttons(lang, items) if items else items


class SpeakingExecutor(ActionExecutor):
    """Runs each action with a dispatcher in the conversation's language."""

    async def run(
        self,
        action_call: dict[str, Any],
        sink: Any = None,
        dispatcher: CollectingDispatcher | None = None,
    ) -> ActionExecutorRunResult | None:
        tracker = action_call.get("tracker") or {}
        latest = tracker.get("latest_message") or {} if isinstance(tracker, dict) else {}
        lang = _language(latest.get("metadata") if isinstance(latest, dict) else None)
        if dispatcher is None and lang != "en":
            dispatcher = Speaker(lang)
        name = str(action_call.get("next_action") or "")
        label = name if name in self.actions else "unknown"
        started = time.perf_counter()
        try:
            return await super().run(action_call, sink, dispatcher)
        except Exception:
            metrics.ACTION_ERRORS.labels(action=label).inc()
            raise
        finally:
            metrics.ACTION_SECONDS.labels(action=label).observe(time.perf_counter() - started)
