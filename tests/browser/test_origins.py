"""The widget embedded on a site the gateway does not allow: refused calmly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Site
from tests.browser.widget import launcher, panel, send
from tests.helpers.net import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROBE = """(url) => new Promise((resolve) => {
  const result = { opened: false, hello: false, code: null };
  const ws = new WebSocket(url);
  ws.onopen = () => { result.opened = true; ws.send(JSON.stringify(
    { type: 'hello', session_id: 'origin-probe' })); };
  ws.onmessage = (e) => { if (JSON.parse(e.data).type === 'hello') result.hello = true;
                          ws.close(); };
  ws.onclose = (e) => { result.code = e.code; resolve(result); };
})"""


@pytest.fixture
def other_site(site: Site) -> Iterator[str]:
    """Another origin (a different port) whose page embeds widget.js from the gateway."""
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Another site</title>"
        "</head><body><h1>Another site</h1><p>Not on the gateway's list.</p>"
        f"<script src='{site.url}/widget.js' data-title='Chat with us' data-position='left' "
        "data-color='#ffcc00' defer></script></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_disallowed_origin_is_refused_and_the_widget_stays_calm(
    new_page, site: Site, other_site: str
) -> None:
    page = new_page()
    page.goto(other_site)
    chat = launcher(page, "Chat with us")
    box = chat.bounding_box()
    assert box is not None and box["x"] < 100, "data-position=left"
    chat.click()
    expect(panel(page)).to_be_visible()
    expect(page.locator(".pp-conn")).to_contain_text("can't connect", timeout=15_000)
    expect(page.locator(".pp-conn")).to_contain_text("988")
    send(page, "hello?")
    expect(page.locator(".pp-log")).to_contain_text("didn't go through", timeout=15_000)

    ws_url = site.url.replace("http", "ws") + "/ws"
    refused = page.evaluate(PROBE, ws_url)
    assert refused["hello"] is False and refused["opened"] is False
    assert refused["code"] in (1006, 1008), refused
    assert "web.origin_refused" in site.gateway_log()

    home = new_page()
    home.goto("/")
    allowed = home.evaluate(PROBE, ws_url)  # the same probe from an allowed origin
    assert allowed["opened"] is True and allowed["hello"] is True, allowed
    assert httpx.get(f"{site.url}/health").json()["status"] == "ok", "nothing crashed"
