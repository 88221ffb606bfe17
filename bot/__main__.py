"""Run the gateway alone: `python -m bot` (the supervisor runs it this way)."""

from __future__ import annotations

import sys

from peerpath import entry


def main() -> int:
    settings = entry.start()
    if settings is None:
        return 2
    import torch

    # The gateway embeds one message at a time and shares the machine with Rasa:
    # one thread for the model keeps the two from fighting over the cores.
    torch.set_num_threads(settings.model_threads)

    from bot import server
    from bot.app import create_app

    server.run(settings, create_app(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
