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


def index(settings: Settings, args: argparse.Namespace) -> int:
    """Build (or load, if up to date) the knowledge index, showing progress."""
    from dataclasses import replace
    from pathlib import Path

    from bot.search.service import open_index

    search = settings.search
    if args.paths:
        search = replace(search, knowledge_dirs=tuple(Path(p).resolve() for p in args.paths))

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        print(f"\rEmbedding passages [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
              end="" if done < total else "\n", file=sys.stderr, flush=True)  # fmt: skip

    built = open_index(search, progress=progress, force=args.rebuild)
    m = built.manifest
    folders = len(search.knowledge_dirs)
    print(f"Index ready: {m.count} passages from {folders} folder(s), {m.index_type}, "
          f"{m.model} ({m.dimension} dimensions), in {search.index_dir}")  # fmt: skip
    return 0


def search(settings: Settings, args: argparse.Namespace) -> int:
    """Search the knowledge base from the command line."""
    import json

    from bot.search.service import open_index

    built = open_index(settings.search)
    hits = built.search(args.query, args.k, topics=args.topic or ())
    threshold = settings.search.min_score
    if args.json:
        results = [
            {
                "score": round(h.score, 4),
                "chunk_id": h.passage.chunk_id,
                "title": h.passage.title,
                "heading": h.passage.heading,
                "text": h.passage.text,
                "url": f"{settings.public_url}/kb/{h.passage.doc_id}#{h.passage.anchor}",
            }
            for h in hits
        ]
        print(
            json.dumps({"results": results, "threshold": threshold}, indent=2, ensure_ascii=False)
        )
        return 0
    if not hits:
        print("No results.")
    for rank, hit in enumerate(hits, start=1):
        marker = "" if hit.score >= threshold else "  (below the answer threshold)"
        print(f"{rank}. [{hit.score:.3f}] {hit.passage.title} — {hit.passage.heading}{marker}")
        print(f"   {hit.passage.text[:300]}{'…' if len(hit.passage.text) > 300 else ''}")
    return 0


def feedback_report(settings: Settings, args: argparse.Namespace) -> int:
    """Print helpful / not helpful counts per knowledge section (no message text)."""
    import datetime as dt

    from bot.feedback import FeedbackStore, format_report

    since = dt.date.today() - dt.timedelta(days=args.days) if args.days else None
    store = FeedbackStore(settings.feedback_db_url.reveal())
    try:
        print(format_report(store.report(since)))
    finally:
        store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the gateway only").set_defaults(func=serve)
    commands.add_parser("run", help="run Rasa, the action server and the gateway").set_defaults(
        func=run
    )
    indexing = commands.add_parser("index", help="build the knowledge index if it is stale")
    indexing.add_argument("paths", nargs="*", help="knowledge folders (default: KNOWLEDGE_DIRS)")
    indexing.add_argument("--rebuild", action="store_true", help="rebuild even if up to date")
    indexing.set_defaults(func=index)
    searching = commands.add_parser("search", help="search the knowledge base")
    searching.add_argument("query")
    searching.add_argument("--k", type=int, default=5, help="how many results (default 5)")
    searching.add_argument("--topic", action="append", help="only passages on this topic")
    searching.add_argument("--json", action="store_true", help="print JSON")
    searching.set_defaults(func=search)
    report = commands.add_parser(
        "feedback-report", help="helpful / not helpful counts per knowledge section"
    )
    report.add_argument("--days", type=int, default=0, help="only the last N days")
    report.set_defaults(func=feedback_report)
    return parser


def secrets_of(settings: Settings) -> list[str]:
    """Values no log line may carry."""
    values = [
        secret.reveal()
        for secret in (
            settings.rasa_token,
            settings.telegram.token,
            settings.telegram.webhook_secret,
            settings.session_secret,
        )
        if secret
    ]
    staff = settings.handoff.staff_tokens.reveal()
    values += [pair.partition(":")[2].strip() for pair in staff.split(",") if ":" in pair]
    return values


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
    logs.configure(settings.log_level, secrets=secrets_of(settings))
    try:
        return args.func(settings, args)
    except PeerPathError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # e.g. --k out of range
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
