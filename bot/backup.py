"""Backups of what PeerPath keeps, and their restore: `python -m bot backup DIR` and
`python -m bot restore DIR/peerpath-backup-…`.

Three databases hold everything worth keeping (the knowledge index, the safety
model and the Rasa model are rebuilt by `make`):
- handoff:  hand-off tickets, their messages, the delivery outbox (HANDOFF_DB_URL)
- tracker:  Rasa's conversations (RASA_TRACKER_URL, or the RASA_TRACKER_DB file)
- feedback: helpful / not helpful counts (FEEDBACK_DB_URL)

A SQLite database is copied with SQLite's online backup (consistent while the
stack runs); a PostgreSQL one with `pg_dump --format=custom`, its password in
the environment of pg_dump only, never on a command line. A backup is a folder
readable by its owner alone, with a manifest (what, when, sizes, SHA-256).
Restore stops at nothing it cannot check: a manifest that does not match its
files is refused. Stop the stack before restoring.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from peerpath.errors import ConfigError
from peerpath.settings import Settings

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why (never a secret)."""


@dataclass(frozen=True)
class Part:
    """One database to back up: its name in the backup, and where it lives."""

    name: str
    url: URL

    @property
    def sqlite_path(self) -> Path | None:
        if self.url.get_backend_name() != "sqlite":
            return None
        return Path(self.url.database or "")

    @property
    def file_name(self) -> str:
        return f"{self.name}.db" if self.sqlite_path is not None else f"{self.name}.dump"


def parts(settings: Settings) -> list[Part]:
    tracker = settings.rasa_tracker_url.reveal() or f"sqlite:///{settings.rasa_tracker_db}"
    found = [
        Part("handoff", make_url(settings.handoff.db_url.reveal())),
        Part("tracker", make_url(tracker)),
        Part("feedback", make_url(settings.feedback_db_url.reveal())),
    ]
    for part in found:
        backend = part.url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ConfigError(part.name, f"backups know SQLite and PostgreSQL, not {backend}")
    return found


def backup(settings: Settings, into: Path, now: dt.datetime | None = None) -> Path:
    """Back up every database into a new folder under `into`; returns the folder."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder = into / f"peerpath-backup-{stamp}"
    folder.mkdir(parents=True, mode=0o700)
    entries = []
    for part in parts(settings):
        target = folder / part.file_name
        source = part.sqlite_path
        if source is not None:
            if not source.exists():
                continue  # nothing written yet (e.g. no feedback so far)
            _sqlite_copy(source, target)
        else:
            _pg(["pg_dump", "--format=custom", "--no-owner", "--file", str(target)], part.url)
        target.chmod(0o600)
        entries.append({"name": part.name, "file": target.name, "bytes": target.stat().st_size,
                        "sha256": _digest(target)})  # fmt: skip
    manifest = {"format": FORMAT, "created": stamp, "parts": entries}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (folder / MANIFEST).chmod(0o600)
    return folder


def restore(settings: Settings, folder: Path) -> list[str]:
    """Put a backup's databases back where the settings say they live; returns their names.

    Every file is checked against the manifest before anything is changed."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} has no readable {MANIFEST}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup of another format ({manifest.get('format')})")
    where = {part.name: part for part in parts(settings)}
    entries = manifest.get("parts") or []
    for entry in entries:
        file = folder / entry["file"]
        if not file.exists() or _digest(file) != entry["sha256"]:
            raise BackupError(f"{file.name} does not match the backup's manifest")
        if entry["name"] not in where:
            raise BackupError(f"{entry['name']}: this version keeps no such database")
        if (where[entry["name"]].sqlite_path is None) != file.name.endswith(".dump"):
            raise BackupError(f"{entry['name']}: the backup and the settings differ in kind")
    for entry in entries:
        part, file = where[entry["name"]], folder / entry["file"]
        target = part.sqlite_path
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(file, target)
        else:
            _pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 str(file)], part.url)  # fmt: skip
    return [entry["name"] for entry in entries]


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others write."""
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _pg(argv: list[str], url: URL) -> None:
    """Run pg_dump/pg_restore on `url`'s database, the password in PGPASSWORD only."""
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (PostgreSQL's client tools)")
    env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    where = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        where += ["--username", url.username]
    done = subprocess.run(
        [*argv[:1], *where, "--no-password", "--dbname", url.database or "", *argv[1:]],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        # pg_* print the database and host, never the password; keep the last lines only
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-500:]}")
