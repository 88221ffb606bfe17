"""Network helpers for tests and benchmarks: free loopback ports.

A port handed to a server that binds it later (Rasa binds after loading its model, tens
of seconds on) must not be one the kernel may give meanwhile to an outgoing connection
as its local port: health polls, haproxy's checks and database clients open many. So
ports come from below the kernel's ephemeral range, where no connect() ever lands.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 10000
_GIVEN: set[int] = set()  # never hand out one port twice in a run


def _ephemeral_start() -> int:
    try:
        return int(_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_run(n: int) -> int:
    """A port p with p .. p + n - 1 all free (replicas side by side), below the ephemeral range."""
    highest = _ephemeral_start() - n
    for _ in range(500):
        first = random.randint(_LOWEST, highest)
        run = range(first, first + n)
        if _GIVEN.isdisjoint(run) and all(_is_free(port) for port in run):
            _GIVEN.update(run)
            return first
    raise RuntimeError(f"no {n} free ports side by side below {highest + n}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, below the ephemeral range."""
    return free_run(1)
