"""No orphans: the supervisor's children die with it, however it dies.

Two guards, because a SIGKILLed supervisor can't stop anything itself:

- `die_with_parent()`, a `preexec_fn` that asks the kernel (`PR_SET_PDEATHSIG`)
  to send the child SIGTERM when its parent dies. Immediate and race-free, but
  it reaches only the child itself (not what the child started), never
  escalates to SIGKILL, and fires when the *thread* that forked exits: so it is
  set only when forking from the main thread.
- `Reaper`, a small helper process (`python -m supervisor.orphans`) told over
  a pipe which process groups are alive. When the pipe closes (the supervisor
  exited, however it exited) it SIGTERMs every group still listed, waits a
  grace period, then SIGKILLs what is left: grandchildren included, and
  processes that were never our children (a daemonized PostgreSQL).

Imports only the standard library: the helper starts in a few milliseconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
GRACE_SECONDS = 10.0


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn: SIGTERM this child when the supervisor dies; None where that can't work.

    None off Linux, and off the main thread (the signal would fire when that
    thread ends, not when the supervisor does); the Reaper still covers those.
    """
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork, not in the child
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the supervisor died before the line above
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


class Reaper:
    """The supervisor's side of the helper: `watch(pgid)` / `forget(pgid)`, then `close()`.

    Closing with nothing watched lets the helper exit quietly (a clean stop).
    A helper that died is not fatal: PR_SET_PDEATHSIG still guards the children.
    """

    def __init__(self, grace: float = GRACE_SECONDS) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.orphans", str(grace)],
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # a signal to the supervisor's group spares it
        )

    def watch(self, pgid: int) -> None:
        self._send(f"+{pgid}")

    def forget(self, pgid: int) -> None:
        self._send(f"-{pgid}")

    def _send(self, line: str) -> None:
        stdin = self.process.stdin
        if stdin is None or stdin.closed:
            return
        with contextlib.suppress(BrokenPipeError, OSError):
            stdin.write(f"{line}\n".encode())
            stdin.flush()

    def close(self) -> None:
        """Close the pipe; the helper stops whatever is still watched and exits."""
        if self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(1.0)  # nothing watched: it exits at once; else it finishes alone


def stop_groups(groups: Iterable[int], grace: float) -> None:
    """SIGTERM every group; SIGKILL the groups still there after `grace` seconds."""
    remaining = [pgid for pgid in groups if _signal_group(pgid, signal.SIGTERM)]
    deadline = time.monotonic() + grace
    while remaining and time.monotonic() < deadline:
        time.sleep(0.1)
        remaining = [pgid for pgid in remaining if _signal_group(pgid, 0)]
    for pgid in remaining:
        _signal_group(pgid, signal.SIGKILL)


def _signal_group(pgid: int, signum: int) -> bool:
    """Signal a process group; False once nobody is in it."""
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def main(argv: list[str]) -> int:
    """The helper: track "+pgid"/"-pgid" lines on stdin; at EOF, stop what is listed."""
    # Ctrl-C and a closed terminal are the supervisor's to handle: we act when it is gone.
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    grace = float(argv[0]) if argv else GRACE_SECONDS
    groups: set[int] = set()
    for line in sys.stdin.buffer:
        sign, number = line[:1], line[1:].strip()
        if number.isdigit():
            (groups.add if sign == b"+" else groups.discard)(int(number))
    stop_groups(sorted(groups), grace)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
