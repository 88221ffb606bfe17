"""A real PostgreSQL for tests: one server per session, a fresh database per test.

Use the fixtures by importing them into a test module (or list this module
in the root conftest's `pytest_plugins`):

    from tests.helpers.postgres import postgres_db_url, postgres_server  # noqa: F401
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerpath.settings import Secret
from supervisor.postgres_server import PostgresServer
from tests.helpers.net import free_port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session, not durable (fsync off), removed after."""
    # Not under pytest's tmp_path: as root the server runs as `postgres`, which
    # cannot enter /tmp/pytest-of-root (0700). /tmp itself is open to everyone.
    folder = Path(tempfile.mkdtemp(prefix="peerpath-postgres-"))
    os.chmod(folder, 0o711)
    server = PostgresServer(folder / "pg", free_port(), durable=False)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_db_url(postgres_server: PostgresServer) -> Iterator[Secret]:
    """The URL of a database made for this test alone, dropped after it."""
    name = f"test_{secrets.token_hex(6)}"
    postgres_server.create_database(name)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
