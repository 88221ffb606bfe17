"""A real redis-server (Debian's package) under a folder of ours, on a loopback port.

For tests and the cluster profile: nothing assumes a Redis is already running.
`RedisServer(folder).start()` writes a config file into the folder, starts
redis-server in its own process group, waits until it answers PING, and
`stop()` ends it. A server that fails to start is stopped before the error is
raised, so nothing is left behind; with no port given, a port taken by
someone else in the meantime is retried on another.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from supervisor.orphans import die_with_parent

STOP_GRACE_SECONDS = 10.0
PORT_ATTEMPTS = 3


class RedisServerError(RuntimeError):
    """redis-server could not be started; the message carries the end of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def ping(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when a Redis answers PING at host:port (plain RESP, no client library)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def server_pid(host: str, port: int, timeout: float = 0.5) -> int | None:
    """The process id of the Redis answering at host:port (INFO server), or None."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"INFO server\r\n")
            reply = b""
            while b"process_id:" not in reply or not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    return None
                reply += chunk
    except OSError:
        return None
    for line in reply.decode("utf-8", "replace").splitlines():
        if line.startswith("process_id:"):
            return int(line.partition(":")[2])
    return None


class RedisServer:
    """One redis-server process: config, data and log in `folder`.

    `appendonly` keeps data across restarts (the cluster profile); tests keep
    everything in memory. Usable as a context manager.
    """

    def __init__(
        self,
        folder: Path,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        appendonly: bool = False,
        binary: str = "redis-server",
        start_timeout: float = 10.0,
    ) -> None:
        self.folder = Path(folder)
        self.host = host
        self.port = port or 0
        self._fixed_port = port is not None
        self.appendonly = appendonly
        self.binary = binary
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def log_path(self) -> Path:
        return self.folder / "redis.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> RedisServer:
        """Start the server and wait for its PONG; raises RedisServerError otherwise."""
        if self.running:
            return self
        executable = shutil.which(self.binary)
        if executable is None:
            raise RedisServerError(
                f"{self.binary} not found (Debian: apt-get install redis-server)"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        attempts = 1 if self._fixed_port else PORT_ATTEMPTS
        for attempt in range(attempts):
            if not self._fixed_port:
                self.port = free_port(self.host)
            try:
                self._start_once(executable)
                return self
            except RedisServerError:
                self.stop()
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _start_once(self, executable: str) -> None:
        config = self.folder / "redis.conf"
        config.write_text(self._config(), encoding="utf-8")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [executable, str(config)],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # our own process group: Ctrl-C in a terminal spares it
                preexec_fn=die_with_parent(),  # and it ends when whoever started it dies
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisServerError(f"redis-server exited ({self.process.returncode})"
                                       f"{self._log_tail()}")  # fmt: skip
            if server_pid(self.host, self.port) == self.process.pid:  # ours, not a squatter
                return
            time.sleep(0.05)
        raise RedisServerError(f"redis-server did not answer within {self.start_timeout:.0f} s"
                               f"{self._log_tail()}")  # fmt: skip

    def _config(self) -> str:
        lines = [
            f"bind {self.host}",
            f"port {self.port}",
            f'dir "{self.folder.resolve()}"',
            "daemonize no",
            "protected-mode yes",
            'save ""',  # no snapshots: appendonly is the only persistence, when asked for
            f"appendonly {'yes' if self.appendonly else 'no'}",
            "logfile redis.log",
            "loglevel warning",
            "databases 16",
        ]
        return "\n".join(lines) + "\n"

    def _log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            tail = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            if tail:
                return ":\n" + "\n".join(tail[-lines:])
        return ""

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after a grace period); safe to repeat."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
