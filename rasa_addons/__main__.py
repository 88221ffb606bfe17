"""Rasa's command line with PeerPath's safeguards: `python -m rasa_addons run ...`.

The supervisor starts Rasa this way (see safeguards.py). Rasa's HTTP API
token is read from RASA_TOKEN here, so it never appears in the process list.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from rasa_addons import safeguards

    safeguards.install()
    argv = sys.argv[1:]
    token = os.environ.get("RASA_TOKEN", "")
    if argv[:1] == ["run"] and token:
        argv += ["--auth-token", token]  # inside this process only; /proc shows the original
    sys.argv = ["rasa", *argv]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
