"""Run PeerPath's action server: `python -m actions`.

Uses rasa-sdk's own app, served in a single process so start-up work (the
knowledge index) happens once, before the first request, in the process
that answers.
"""

from __future__ import annotations

import sys
import warnings

from rasa_sdk.endpoint import create_app
from sanic import HTTPResponse, Request
from sanic.response import raw, text

from actions import metrics
from actions.services import knowledge
from actions.speaking import SpeakingExecutor
from peerpath import entry, scrape


def main() -> int:
    # as every entry point: .env, settings read once, logging that redacts secrets
    settings = entry.start()
    if settings is None:
        return 2
    # rasa-sdk 3.21 serves Rasa 3.6 fine (checked); say so once, not per request.
    warnings.filterwarnings("once", module=r"rasa_sdk\.utils")
    executor = SpeakingExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins=None)

    @app.before_server_start
    async def open_knowledge(app, loop) -> None:
        # Load (or rebuild) the index before the first request, not during it.
        knowledge(settings)

    @app.get("/metrics")
    async def serve_metrics(request: Request) -> HTTPResponse:
        refused = scrape.refusal(
            settings.metrics_token.reveal(), request.headers.get("authorization", ""), request.ip
        )
        if refused is not None:
            return text(refused[1], status=refused[0])
        return raw(metrics.exposition(), content_type=metrics.CONTENT_TYPE)

    app.run(
        host=settings.action_server_host,
        port=settings.action_server_port,
        single_process=True,
        access_log=False,
        motd=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
