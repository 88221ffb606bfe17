"""What every PeerPath entry point does first: read settings once, set up logging."""

from __future__ import annotations

import os
import sys

from peerpath import logs
from peerpath.errors import ConfigError
from peerpath.settings import PROJECT_ROOT, Settings, read_env_file


def start() -> Settings | None:
    """Settings from `.env` and the environment, logging configured; None on a bad key.

    A `.env` file fills in what the real environment leaves unset; child processes
    inherit the result. The error names the key, never its value.
    """
    for key, value in read_env_file(PROJECT_ROOT / ".env").items():
        os.environ.setdefault(key, value)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return None
    logs.configure(
        settings.log_level, secrets=settings.secret_values(), log_format=settings.log_format
    )
    return settings
