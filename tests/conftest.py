"""Shared fixtures: settings for tests, a real Rasa + action server stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from peerpath.settings import Settings
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
def knowledge_index(embedder, tmp_path_factory: pytest.TempPathFactory):
    """A real index over the project's knowledge/: a copy of the one `make` built in var/
    (loaded if it still matches knowledge/, rebuilt otherwise), so no test can change it."""
    import shutil

    from peerpath.search.service import open_index
    from peerpath.settings import SearchSettings

    index_dir = tmp_path_factory.mktemp("knowledge-index") / "index"
    if (ROOT / "var" / "index" / "manifest.json").exists():
        shutil.copytree(ROOT / "var" / "index", index_dir)
    return open_index(SearchSettings(index_dir=index_dir), embedder)


@pytest.fixture(scope="session")
def safety_net(tmp_path_factory: pytest.TempPathFactory):
    """The real crisis safety net: a copy of the model `make` trained in var/ (loaded if the
    safety corpus is unchanged, trained again otherwise)."""
    import shutil

    from bot.safety import SafetyNet

    folder = tmp_path_factory.mktemp("safety-model") / "safety"
    if (ROOT / "var" / "safety").is_dir():
        shutil.copytree(ROOT / "var" / "safety", folder)
    return SafetyNet.open(folder)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A real Rasa server and action server, shared by the slow tests."""
    stack = Stack(tmp_path_factory.mktemp("stack"))
    try:
        stack.start("rasa", "actions")
        yield stack
    finally:
        stack.close()


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2 model, loaded once for the session."""
    from peerpath.search.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tests/fixtures/kb plus a generated PDF: one file of each kind."""
    import shutil

    from tests.helpers.pdf import write_pdf

    folder = tmp_path_factory.mktemp("kb") / "kb"
    shutil.copytree(ROOT / "tests" / "fixtures" / "kb", folder)
    write_pdf(
        folder / "telehealth-handbook.pdf",
        [
            [
                "Telehealth handbook",
                "Peer staff need a laptop, a headset and a quiet private room.",
            ],
            ["Secure messaging apps protect the privacy of people who get peer support by text."],
        ],
        title="Telehealth handbook",
    )
    return folder


@pytest.fixture(scope="session")
def small_index(fixture_kb: Path, embedder, tmp_path_factory: pytest.TempPathFactory):
    """A real index over the fixture documents."""
    from peerpath.search.service import open_index
    from peerpath.settings import SearchSettings

    settings = SearchSettings(
        knowledge_dirs=(fixture_kb,), index_dir=tmp_path_factory.mktemp("index") / "index"
    )
    return open_index(settings, embedder)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the main
    thread until the session ends, and asyncio tests can't start one after that."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
