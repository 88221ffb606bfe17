"""A real Rasa server and a real action server on free ports, for tests.

Started with the same supervisor and process specs `make run` uses; their
output goes to files so tests can read it (and check it for leaked text).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from peerpath.settings import PROJECT_ROOT, Settings
from supervisor.process import Supervisor
from supervisor.specs import build_specs
from tests.helpers.net import free_port


class StackError(RuntimeError):
    """A test server could not be started."""


class Stack:
    """Rasa + action server for one test session, each restartable."""

    def __init__(self, workdir: Path, extra_env: Mapping[str, str] | None = None) -> None:
        model = PROJECT_ROOT / "models" / "peerpath.tar.gz"
        if not model.exists():
            raise StackError(f"{model} is missing: run `make test`, which trains it first")
        self.workdir = workdir
        self.env = {
            "RASA_PORT": str(free_port()),
            "ACTION_SERVER_PORT": str(free_port()),
            "GATEWAY_PORT": str(free_port()),
            "VAR_DIR": str(workdir / "var"),
            "RASA_TOKEN": "test-rasa-token",
            "SESSION_SECRET": "test-session-secret",
            "LOG_LEVEL": "DEBUG",
            **(extra_env or {}),
        }
        (workdir / "var").mkdir(parents=True, exist_ok=True)
        # Copies of what `make` built (loaded if still current, rebuilt otherwise): each
        # process would otherwise build the index and train the safety model at start-up.
        for built in ("index", "safety"):
            source, copy = PROJECT_ROOT / "var" / built, workdir / "var" / built
            if source.is_dir() and not copy.exists():
                shutil.copytree(source, copy)
        self.settings = Settings.from_env(self.env)
        specs = build_specs(self.settings, {**os.environ, **self.env})
        self.supervisor = Supervisor(specs, out=io.StringIO())

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def start(self, *names: str) -> None:
        for name in names:
            self.supervisor.start(name, log_path=self.log_path(name))
        if not self.supervisor.wait_healthy(list(names)):
            logs = "\n".join(self.logs(name)[-3000:] for name in names)
            raise StackError(f"{', '.join(names)} did not start:\n{logs}")

    def stop(self, name: str) -> None:
        self.supervisor.stop(name)

    def logs(self, name: str) -> str:
        path = self.log_path(name)
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def close(self) -> None:
        self.supervisor.stop_all()
