"""PeerPath's tools for the people who run it: `python -m peerpath <command>`.

index, search and feedback-report use only the shared library. The processes
have their own entry points: `python -m supervisor` (all of them, `make run`),
`python -m bot`, `python -m actions`, and Rasa's through `python -m rasa_addons`.
"""

from __future__ import annotations

import argparse
import sys

from peerpath import entry
from peerpath.errors import PeerPathError
from peerpath.settings import Settings


def index(settings: Settings, args: argparse.Namespace) -> int:
    """Build (or load, if up to date) the knowledge index, showing progress."""
    from dataclasses import replace
    from pathlib import Path

    from peerpath.search.service import open_index

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

    from peerpath.search.service import open_index

    built = open_index(settings.search)
    hits = built.search(args.query, args.k, topics=args.topic or (), languages=[args.lang])
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

    from peerpath.feedback import FeedbackStore, format_report

    since = dt.date.today() - dt.timedelta(days=args.days) if args.days else None
    store = FeedbackStore(settings.feedback_db_url.reveal())
    try:
        print(format_report(store.report(since)))
    finally:
        store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m peerpath", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    indexing = commands.add_parser("index", help="build the knowledge index if it is stale")
    indexing.add_argument("paths", nargs="*", help="knowledge folders (default: KNOWLEDGE_DIRS)")
    indexing.add_argument("--rebuild", action="store_true", help="rebuild even if up to date")
    indexing.set_defaults(func=index)
    searching = commands.add_parser("search", help="search the knowledge base")
    searching.add_argument("query")
    searching.add_argument("--k", type=int, default=5, help="how many results (default 5)")
    searching.add_argument("--topic", action="append", help="only passages on this topic")
    searching.add_argument("--lang", default="en", choices=["en", "es"], help="answer language")
    searching.add_argument("--json", action="store_true", help="print JSON")
    searching.set_defaults(func=search)
    report = commands.add_parser(
        "feedback-report", help="helpful / not helpful counts per knowledge section"
    )
    report.add_argument("--days", type=int, default=0, help="only the last N days")
    report.set_defaults(func=feedback_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = entry.start()
    if settings is None:
        return 2
    try:
        return int(args.func(settings, args))
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
