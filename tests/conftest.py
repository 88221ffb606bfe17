"""Shared fixtures: settings for tests, a real Rasa + action server stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.helpers.stack import Stack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def test_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a gateway whose Rasa is not running (a closed port)."""
    from tests.helpers.net import free_port

    return {
        "VAR_DIR": str(tmp_path / "var"),
        "RASA_PORT": str(free_port()),
        "ACTION_SERVER_PORT": str(free_port()),
        "SESSION_SECRET": "test-session-secret",
        "RASA_TIMEOUT": "2",
    }


@pytest.fixture
def offline_settings(test_env: dict[str, str]) -> Settings:
    return Settings.from_env(test_env)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A real Rasa server and action server, shared by the slow tests."""
    stack = Stack(tmp_path_factory.mktemp("stack"))
    try:
        stack.start("rasa", "actions")
        yield stack
    finally:
        stack.close()
