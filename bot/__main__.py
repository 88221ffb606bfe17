"""PeerPath's command line: `python -m bot <command>`."""

from __future__ import annotations

import argparse
import os
import sys

from bot import logs
from bot.errors import ConfigError, PeerPathError
from bot.settings import PROJECT_ROOT, Settings, read_env_file


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Run the gateway (uvicorn) in this process."""
    import uvicorn

    from bot.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        access_log=False,  # request lines carry query strings, i.e. what people typed
        log_config=None,
        proxy_headers=False,
    )
    return 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Start Rasa, the action server and the gateway, and supervise them."""
    from bot.supervisor import run_all

    return run_all(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the gateway only").set_defaults(func=serve)
    commands.add_parser("run", help="run Rasa, the action server and the gateway").set_defaults(
        func=run
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # A `.env` file fills in what the real environment leaves unset; children inherit it.
    for key, value in read_env_file(PROJECT_ROOT / ".env").items():
        os.environ.setdefault(key, value)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    try:
        return args.func(settings, args)
    except PeerPathError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
