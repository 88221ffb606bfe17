"""Fixtures for the browser tests: one real stack (Rasa, actions, gateway) and
one Chromium for the whole session, a fresh browser context per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.helpers.net import free_port
from tests.helpers.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
STAFF_TOKEN = "browser-staff-token-0123456789"
OTHER_STAFF_TOKEN = "browser-other-staff-token-98765"  # Alex, e.g. on Telegram
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@dataclass(frozen=True)
class Site:
    """The running gateway, as a browser sees it."""

    url: str
    stack: Stack

    def history(self, session: str) -> dict:
        """The conversation of the widget session whose token is `session`."""
        response = httpx.get(
            f"{self.url}/api/history", headers={"Authorization": f"Bearer {session}"}
        )
        response.raise_for_status()
        return response.json()

    def gateway_log(self) -> str:
        return self.stack.logs("gateway")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Rasa, the action server and the gateway, started once for every browser test."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stack = Stack(
        tmp_path_factory.mktemp("browser-stack"),
        extra_env={
            "GATEWAY_PORT": str(port),
            "PUBLIC_URL": url,
            "ALLOWED_ORIGINS": f"{url},http://localhost:{port}",
            "HANDOFF_HOURS": "always",
            "STAFF_TOKENS": f"Sam:{STAFF_TOKEN},Alex:{OTHER_STAFF_TOKEN}",
            "RATE_LIMIT_PER_MINUTE": "600",
        },
    )
    try:
        # The gateway needs no Rasa to start, only to pass /health: start all three at once.
        stack.start("rasa", "actions", "gateway")
        yield Site(url, stack)
    finally:
        stack.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (it can't download its own here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, site: Site) -> Iterator[Callable[..., object]]:
    """Open pages in fresh contexts (own storage); fail if any page threw an error."""
    contexts = []
    errors: list[str] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: object):
        context = browser.new_context(viewport=viewport, base_url=site.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
