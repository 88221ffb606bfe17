"""Rasa's command line with PeerPath's safeguards: `python -m rasa_addons run ...`.

The supervisor starts Rasa this way (see safeguards.py). Rasa's HTTP API
token is read from RASA_TOKEN here, so it never appears in the process list.
"""

from __future__ import annotations

import os
import sys


def with_token(argv: list[str], token: str) -> list[str]:
    """`argv` with Rasa's API token, as one `--auth-token=…` argument: a random token
    may begin with "-" (token_urlsafe), which argparse would take for an option."""
    return [*argv, f"--auth-token={token}"]


def main() -> None:
    from rasa_addons import safeguards

    safeguards.install()
    argv = sys.argv[1:]
    token = os.environ.get("RASA_TOKEN", "")
    if argv[:1] == ["run"] and token:
        argv = with_token(argv, token)  # inside this process only; /proc shows the original
    sys.argv = ["rasa", *argv]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
