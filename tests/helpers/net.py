"""Network helpers for tests and benchmarks: free loopback ports."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_run(n: int) -> int:
    """A port p with p .. p + n - 1 all free (replicas side by side)."""
    for _ in range(100):
        first = free_port()
        try:
            for offset in range(1, n):
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    sock.bind(("127.0.0.1", first + offset))
            return first
        except OSError:
            continue
    raise RuntimeError(f"no {n} free ports side by side")
