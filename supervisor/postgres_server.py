"""A real PostgreSQL server under one directory, for tests and `make run-cluster`.

    server = PostgresServer(Path("var/postgres"), port=5433)
    server.start()                    # initdb the first time only, then waits until it answers
    server.create_database("handoff")
    url = server.url("handoff")       # Secret('postgresql+psycopg://peerpath:…@127.0.0.1:5433/handoff')
    ...
    server.stop()                     # pg_ctl stop -m fast

Layout under `directory`: `data/` (PGDATA), `run/` (its Unix socket, mode 0700,
and `postgres.log`) and `superuser.password` (0600, read on the next start).
The server listens on 127.0.0.1 only, and every login, TCP or socket, needs a
password (SCRAM): on a shared machine `trust` would make any local user a
superuser. The password goes to initdb in a file and to psycopg as a
parameter, never on a command line.

PostgreSQL refuses to run as root, so as root every server command runs as
Debian's `postgres` user (`runuser -u postgres --`) and the data and run
directories belong to it; `directory` and its parents must then be
searchable by that user (a directory under /tmp is; pytest's
/tmp/pytest-of-root is not).

Binaries: `bin_dir`, else the directory of `pg_ctl` on PATH, else the
newest /usr/lib/postgresql/N/bin (Debian keeps them off PATH).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import URL

from peerpath.settings import Secret

if TYPE_CHECKING:
    import psycopg

HOST = "127.0.0.1"
SUPERUSER = "peerpath"
RUN_AS = "postgres"  # the OS user PostgreSQL runs as when we are root
MAX_SOCKET_PATH = 100  # bytes; Unix socket paths are limited to about 107
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresError(RuntimeError):
    """The server could not be set up, started, stopped or asked something."""


class PostgresServer:
    """One PostgreSQL cluster under `directory`, listening on 127.0.0.1:`port`.

    `durable=False` (tests) turns off fsync and synchronous commit: much
    faster, and a machine crash may lose the data, which tests don't keep.
    """

    def __init__(
        self,
        directory: Path,
        port: int,
        *,
        bin_dir: Path | None = None,
        durable: bool = True,
        start_timeout: float = 60.0,
    ) -> None:
        self.directory = directory.resolve()
        self.port = port
        self.bin_dir = bin_dir or find_bin_dir()
        self.durable = durable
        self.start_timeout = start_timeout
        self.data_dir = self.directory / "data"
        self.run_dir = self.directory / "run"
        self.log_file = self.run_dir / "postgres.log"
        self.password_file = self.directory / "superuser.password"
        self._as_root = os.geteuid() == 0

    def __repr__(self) -> str:
        return f"PostgresServer({str(self.directory)!r}, port={self.port})"

    # --- lifecycle --------------------------------------------------------------

    def start(self) -> None:
        """Initialise the cluster if needed, start it and wait until it accepts logins.

        A server left running on this data directory (a launcher that was
        killed) is stopped first. If starting fails, nothing is left running.
        """
        self._prepare()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        if self.running():
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "30", check=False)
        try:
            self._pg_ctl(
                "start", "-w", "-t", str(int(self.start_timeout)),
                "-l", str(self.log_file), "-o", self._server_options(),
            )  # fmt: skip
            self._wait_for_login(time.monotonic() + self.start_timeout)
        except BaseException:
            self._kill()
            raise

    def stop(self) -> None:
        """Stop the server (fast: sessions are cut, nothing written is lost); idempotent."""
        if not self.running():
            return
        done = self._pg_ctl("stop", "-m", "fast", "-w", "-t", "30", check=False)
        if done.returncode != 0:
            self._kill()

    def pid(self) -> int | None:
        """The postmaster's pid (first line of postmaster.pid), while one runs."""
        try:
            first = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
        except OSError:
            return None
        return int(first) if first.strip().isdigit() else None

    def running(self) -> bool:
        """Whether a server is running on this data directory."""
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        return self._pg_ctl("status", check=False).returncode == 0

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- databases and users ----------------------------------------------------

    def url(
        self, database: str = "postgres", user: str | None = None, password: Secret | None = None
    ) -> Secret:
        """The SQLAlchemy URL (psycopg 3) of `database`, as the superuser unless `user` is given."""
        if user is None:
            user, password = SUPERUSER, self.password()
        url = URL.create(
            "postgresql+psycopg",
            username=user,
            password=password.reveal() if password else None,
            host=HOST,
            port=self.port,
            database=database,
        )
        return Secret(url.render_as_string(hide_password=False))

    def create_user(self, name: str, password: Secret) -> None:
        """Create a login role with this password, or set the password of an existing one."""
        from psycopg import sql

        exists = self._fetch("SELECT 1 FROM pg_roles WHERE rolname = %s", name)
        verb = "ALTER" if exists else "CREATE"
        statement = sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(checked(name)), sql.Literal(password.reveal())
        )
        with self._connect() as connection:
            # a failing statement would be logged with its text: the password
            connection.execute("SET log_min_error_statement = panic")
            connection.execute("SET log_statement = none")
            connection.execute(statement)

    def create_database(self, name: str, owner: str | None = None) -> None:
        """Create `name` (owned by `owner`, default the superuser) unless it exists."""
        from psycopg import sql

        if self._fetch("SELECT 1 FROM pg_database WHERE datname = %s", name):
            return
        statement = sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(checked(name)), sql.Identifier(checked(owner or SUPERUSER))
        )
        with self._connect() as connection:
            connection.execute(statement)

    def drop_database(self, name: str) -> None:
        """Drop `name` if it exists, cutting off anyone still connected."""
        from psycopg import sql

        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(checked(name))
        )
        with self._connect() as connection:
            connection.execute(statement)

    def password(self) -> Secret:
        """The superuser's password, made by the first start."""
        try:
            return Secret(self.password_file.read_text().strip())
        except FileNotFoundError:
            raise PostgresError(
                f"{self.password_file} is missing; remove {self.directory} to start afresh"
            ) from None

    # --- internals --------------------------------------------------------------

    def _prepare(self) -> None:
        """Create the directories, owned by the user the server runs as."""
        self.directory.mkdir(mode=0o711, parents=True, exist_ok=True)
        for folder in (self.data_dir, self.run_dir):
            folder.mkdir(mode=0o700, exist_ok=True)
            if self._as_root:
                user = pwd.getpwnam(RUN_AS)
                os.chown(folder, user.pw_uid, user.pw_gid)
        if self._as_root and self._as_server("test", "-w", str(self.run_dir)).returncode != 0:
            raise PostgresError(
                f"user {RUN_AS!r} cannot reach {self.directory}: "
                "its parent directories must be searchable by that user"
            )

    def _initdb(self) -> None:
        if not self.password_file.exists():
            self.password_file.touch(mode=0o600)
            self.password_file.write_text(secrets.token_urlsafe(24))
        # initdb reads the password from a file the server's user can read; gone right after
        handover = self.run_dir / "initdb.password"
        handover.touch(mode=0o600)
        try:
            handover.write_text(self.password().reveal())
            if self._as_root:
                user = pwd.getpwnam(RUN_AS)
                os.chown(handover, user.pw_uid, user.pw_gid)
            argv = [
                str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                "--auth=scram-sha-256", f"--pwfile={handover}", "--encoding=UTF8",
                "--no-locale", "--no-instructions",
            ]  # fmt: skip
            if not self.durable:
                argv.append("--no-sync")
            done = self._as_server(*argv)
        finally:
            handover.unlink(missing_ok=True)
        if done.returncode != 0:
            # a half-made data directory would be taken for a finished one next time
            for child in self.data_dir.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            raise PostgresError(f"initdb failed: {done.stderr.strip()[-2000:]}")

    def _server_options(self) -> str:
        """Options for `postgres`, quoted for the shell pg_ctl runs it through."""
        socket_dir = str(self.run_dir)
        if len(os.fsencode(socket_dir)) + len(f"/.s.PGSQL.{self.port}") > MAX_SOCKET_PATH:
            socket_dir = ""  # too long a path for a socket: TCP only
        options = {
            "listen_addresses": HOST,
            "port": str(self.port),
            "unix_socket_directories": socket_dir,
            "unix_socket_permissions": "0700",
            "password_encryption": "scram-sha-256",
        }
        if not self.durable:
            options |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        return " ".join(f"-c {shlex.quote(f'{key}={value}')}" for key, value in options.items())

    def _wait_for_login(self, deadline: float) -> None:
        import psycopg

        while True:
            try:
                with self._connect(timeout=2):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresError(
                        f"PostgreSQL on port {self.port} did not accept logins: {exc}"
                    ) from exc
                time.sleep(0.1)

    def _connect(self, timeout: float = 10) -> psycopg.Connection[Any]:
        import psycopg  # only when asked: importing this module connects to nothing

        return psycopg.connect(
            host=HOST,
            port=self.port,
            user=SUPERUSER,
            password=self.password().reveal(),
            dbname="postgres",
            autocommit=True,
            connect_timeout=max(1, int(timeout)),
        )

    def _fetch(self, query: str, *params: str) -> bool:
        """Whether `query` returns a row."""
        with self._connect() as connection:
            return connection.execute(query, params).fetchone() is not None

    def _kill(self) -> None:
        """Stop whatever runs on the data directory now, without a clean shutdown."""
        with contextlib.suppress(Exception):
            self._pg_ctl("stop", "-m", "immediate", "-w", "-t", "30", check=False)

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin_dir / "pg_ctl"), args[0], "-D", str(self.data_dir), *args[1:]]
        done = self._as_server(*argv)
        if check and done.returncode != 0:
            raise PostgresError(
                f"pg_ctl {args[0]} failed: {done.stderr.strip()[-1000:]}\n{self._log_tail()}"
            )
        return done

    def _as_server(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """Run a command as the user the server runs as."""
        prefix = ["runuser", "-u", RUN_AS, "--"] if self._as_root else []
        return subprocess.run(
            [*prefix, *argv],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=self.start_timeout + 30,
            check=False,
        )

    def _log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        return ""


def find_bin_dir() -> Path:
    """Where initdb and pg_ctl are: PATH first, then Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not versions:
        raise PostgresError("PostgreSQL is not installed (no pg_ctl on PATH or in /usr/lib)")
    return versions[-1].parent


def checked(name: str) -> str:
    """A database or role name: lower-case letters, digits and underscores."""
    if not NAME.match(name):
        raise PostgresError(f"not a plain name: {name!r}")
    return name
