"""The gateway's command line: `python -m bot` runs the gateway (the supervisor runs it
this way); the other commands do one job and exit.

    python -m bot                  run the gateway
    python -m bot migrate          upgrade PeerPath's own tables to this release
    python -m bot retention        delete what is older than RETENTION_DAYS, now
    python -m bot backup DIR       back up every database into a new folder in DIR
    python -m bot restore FOLDER   put a backup back (stop the stack first)
    python -m bot staff add NAME --role peer|lead   a console account (its token, once)
    python -m bot staff rotate NAME                  a new token for it (once)
    python -m bot staff disable NAME                 its token stops working
    python -m bot staff list                         the team
    python -m bot gaps [--weeks N]   what people asked that PeerPath couldn't answer well
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from peerpath import entry
from peerpath.errors import ConfigError
from peerpath.settings import Settings


def serve(settings: Settings) -> int:
    import torch

    # The gateway embeds one message at a time and shares the machine with Rasa:
    # one thread for the model keeps the two from fighting over the cores.
    torch.set_num_threads(settings.model_threads)

    from bot import server
    from bot.app import create_app

    server.run(settings, create_app(settings))
    return 0


def retention(settings: Settings) -> int:
    from bot import retention
    from bot.handoff.store import HandoffStore

    if settings.retention_days <= 0:
        print("RETENTION_DAYS is 0: conversations are kept; nothing was deleted.")
        return 0
    store = HandoffStore(settings.handoff.db_url.reveal(), auto_migrate=settings.auto_migrate)
    try:
        counts = retention.sweep(settings, store)
    finally:
        store.close()
    print(f"Deleted what was older than {settings.retention_days} days:")
    for name, count in counts.items():
        print(f"  {name.replace('_', ' ')}: {count}")
    return 0


def migrate(settings: Settings) -> int:
    from sqlalchemy import create_engine

    from peerpath import migrations

    for store, url in (
        (migrations.HANDOFF, settings.handoff.db_url),
        (migrations.FEEDBACK, settings.feedback_db_url),
    ):
        if url.reveal().startswith("sqlite:///"):
            Path(url.reveal().removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url.reveal())
        try:
            before = migrations.current(engine, store)
            after = migrations.upgrade(engine, store)
        finally:
            engine.dispose()
        print(f"{store.name}: {before or 'no version'} -> {after}")
    return 0


def backup(settings: Settings, into: Path) -> int:
    from bot.backup import backup as back_up

    folder = back_up(settings, into)
    print(f"Backed up into {folder} (readable by its owner only: it holds conversations).")
    return 0


def restore(settings: Settings, folder: Path) -> int:
    from bot.backup import restore as put_back

    names = put_back(settings, folder)
    print(f"Restored {', '.join(names) or 'nothing'} from {folder}.")
    return 0


def staff(settings: Settings, args: argparse.Namespace) -> int:
    from bot.handoff.desk import Desk
    from bot.handoff.store import HandoffStore

    store = HandoffStore(settings.handoff.db_url.reveal(), auto_migrate=settings.auto_migrate)
    try:
        desk = Desk(store)
        if args.action == "list":
            for account in desk.accounts():
                state = "" if account.active else "  (disabled)"
                print(f"{account.name}\t{account.role}{state}")
            return 0
        if not args.name:
            print(f"staff {args.action} needs a NAME", file=sys.stderr)
            return 2
        if args.action == "disable":
            desk.disable(args.name)
            print(f"{args.name}: disabled; their token no longer works.")
        else:
            if args.action == "add":
                token = desk.add_account(args.name, args.role)
            else:
                token = desk.rotate(args.name)
            print(f"{args.name}: the console token, shown this once (only a hash is kept):")
            print(token)
        desk.record("command line", f"{args.action}_account", "", args.name)
        return 0
    finally:
        store.close()


def gaps(settings: Settings, weeks: int) -> int:
    import datetime as dt

    from peerpath.feedback import FeedbackStore, format_gaps

    store = FeedbackStore(settings.feedback_db_url.reveal(), auto_migrate=settings.auto_migrate)
    try:
        since = dt.date.today() - dt.timedelta(weeks=max(1, weeks) - 1)
        print(format_gaps(store.gaps(since)))
    finally:
        store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the gateway (the default)")
    commands.add_parser("migrate", help="upgrade PeerPath's own tables to this release")
    commands.add_parser("retention", help="delete what is older than RETENTION_DAYS, now")
    saving = commands.add_parser("backup", help="back up every database into DIR")
    saving.add_argument("dir", type=Path)
    loading = commands.add_parser("restore", help="put a backup folder back")
    loading.add_argument("folder", type=Path)
    team = commands.add_parser("staff", help="add, rotate, disable or list console accounts")
    team.add_argument("action", choices=["add", "rotate", "disable", "list"])
    team.add_argument("name", nargs="?", default="")
    team.add_argument("--role", choices=["peer", "lead"], default="peer")
    gap_report = commands.add_parser("gaps", help="what PeerPath couldn't answer well, counted")
    gap_report.add_argument("--weeks", type=int, default=8, help="the last N weeks (default 8)")
    args = parser.parse_args(argv)
    settings = entry.start()
    if settings is None:
        return 2
    from bot.backup import BackupError
    from peerpath.errors import HandoffError

    try:
        if args.command == "staff":
            return staff(settings, args)
        if args.command == "gaps":
            return gaps(settings, args.weeks)
        if args.command == "migrate":
            return migrate(settings)
        if args.command == "retention":
            return retention(settings)
        if args.command == "backup":
            return backup(settings, args.dir)
        if args.command == "restore":
            return restore(settings, args.folder)
        return serve(settings)
    except (BackupError, ConfigError, HandoffError, OSError) as exc:
        print(f"{args.command} failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
