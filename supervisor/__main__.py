"""Run PeerPath: `python -m supervisor` starts Rasa, the action server and the gateway."""

from __future__ import annotations

import sys

from peerpath import entry


def main() -> int:
    settings = entry.start()
    if settings is None:
        return 2
    from supervisor.specs import run_all

    try:
        return run_all(settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
