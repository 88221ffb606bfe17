"""Train the crisis model if the safety corpus changed: `python -m bot.safety` (`make`)."""

from __future__ import annotations

import sys

from peerpath import entry


def main() -> int:
    settings = entry.start()
    if settings is None:
        return 2
    from bot.safety import SafetyNet

    SafetyNet.open(settings.safety_model_dir)
    print(f"Safety model ready in {settings.safety_model_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
