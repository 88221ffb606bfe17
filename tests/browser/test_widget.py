"""The chat widget on the demo page, in a real Chromium against the real stack."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import PHONE, Site
from tests.browser.widget import (
    REPLY_TIMEOUT,
    bot_messages,
    focused,
    launcher,
    message_box,
    my_messages,
    open_widget,
    panel,
    reply_containing,
    send,
    session_id,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_question_gets_an_answer_with_its_source_and_more_on_request(
    new_page, screenshots: Path
) -> None:
    page = new_page()
    open_widget(page)
    send(page, "how long does peer specialist training take")
    answer = reply_containing(page, "hours")
    link = answer.locator(".pp-sources a").first
    href = link.get_attribute("href") or ""
    assert "/kb/peer-specialist-training" in href
    assert href.startswith("http://127.0.0.1:")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_contain_text("Peer specialist training")
    page.screenshot(path=screenshots / "widget-desktop.png")

    answer.get_by_role("button", name="Tell me more").click()
    expect(my_messages(page).last).to_have_text("Tell me more")
    sources = page.locator(".pp-log .pp-sources a")
    expect(sources).to_have_count(2, timeout=REPLY_TIMEOUT)
    assert sources.nth(1).get_attribute("href") != href, "more: another section"


def test_on_a_phone_the_panel_is_full_width_and_buttons_can_be_tapped(
    new_page, screenshots: Path
) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/")
    launcher(page).tap()
    box = panel(page).bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == PHONE["width"]
    send(page, "hello")
    menu = bot_messages(page).last.get_by_role("button")
    expect(menu.first).to_be_visible(timeout=REPLY_TIMEOUT)
    assert menu.count() >= 4
    title = menu.first.inner_text()
    replies_before = bot_messages(page).count()
    menu.first.tap()
    expect(my_messages(page).last).to_have_text(title)
    expect(bot_messages(page)).not_to_have_count(replies_before, timeout=REPLY_TIMEOUT)
    page.screenshot(path=screenshots / "widget-mobile.png")


def test_the_conversation_survives_a_reload_and_start_over_clears_it(new_page, site: Site) -> None:
    page = new_page()
    open_widget(page)
    send(page, "are you a real person?")
    reply_containing(page, "computer program")
    first_session = session_id(page)

    page.reload()
    expect(panel(page)).to_be_visible()  # it was open: it opens again
    expect(my_messages(page)).to_have_text(["are you a real person?"])
    expect(page.locator(".pp-log")).to_contain_text("computer program")

    page.goto("/resources")  # elsewhere on the site, and back
    page.goto("/")
    expect(my_messages(page)).to_have_text(["are you a real person?"])
    assert session_id(page) == first_session

    page.get_by_role("button", name="Start over").click()
    page.get_by_role("button", name="Yes, start over").click()
    expect(my_messages(page)).to_have_count(0)
    expect(bot_messages(page)).to_have_count(1)  # the greeting
    expect(message_box(page)).to_be_focused()
    new_session = session_id(page)
    assert new_session != first_session
    refused = httpx.get(f"{site.url}/api/history",
                        headers={"Authorization": f"Bearer {first_session}"})  # fmt: skip
    assert refused.status_code == 401, "start over revokes the old session's token"
    page.reload()
    expect(my_messages(page)).to_have_count(0)


def test_keyboard_only(new_page) -> None:
    page = new_page()
    page.goto("/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page) == "pp-launcher":
            break
    assert focused(page) == "pp-launcher", "Tab reaches the launcher"
    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    assert focused(page) == "pp-input", "focus moves into the panel"
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")

    page.keyboard.type("are you a bot?")
    page.keyboard.press("Enter")
    reply_containing(page, "computer program")
    assert focused(page) == "pp-input"
    page.keyboard.press("Tab")
    assert focused(page) == "pp-send"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "pp-input"

    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    assert focused(page) == "pp-launcher", "focus returns to the launcher"
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    assert focused(page) == "pp-input"


def test_a_crisis_message_gets_a_prominent_alert_with_988(new_page) -> None:
    page = new_page()
    open_widget(page)
    send(page, "i want to end my life")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(alert).to_contain_text("988")
    expect(alert).to_contain_text("Help is available right now")
    expect(alert.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(alert.get_by_role("button", name="Connect me with a peer")).to_be_visible()
    assert "pp-crisis" in (alert.get_attribute("class") or "")


CONTRAST = """() => {
  const root = document.querySelector('#peerpath-widget').shadowRoot;
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement || (el.getRootNode() && el.getRootNode().host)) {
      const c = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return rgb(c);
    }
    return [255, 255, 255];
  };
  const out = {};
  for (const sel of ['.pp-launcher', '.pp-head h2', '.pp-from-me .pp-text',
                     '.pp-from-bot .pp-text', '.pp-sources a', '.pp-choices button',
                     '.pp-note', '.pp-send', '.pp-crisis .pp-text', '.pp-crisis-head',
                     '.pp-crisis-actions a']) {
    const el = root.querySelector(sel);
    if (!el) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    out[sel] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  return out;
}"""


def test_text_meets_wcag_aa_contrast_and_motion_can_be_reduced(new_page) -> None:
    page = new_page(reduced_motion="reduce")
    open_widget(page)
    send(page, "i want to end my life")
    expect(page.get_by_role("alert")).to_be_visible(timeout=REPLY_TIMEOUT)
    send(page, "how long does peer specialist training take")
    reply_containing(page, "hours")
    ratios = page.evaluate(CONTRAST)
    assert len(ratios) == 11, ratios
    low = {sel: round(r, 2) for sel, r in ratios.items() if r < 4.5}
    assert not low, f"below WCAG AA 4.5:1: {low}"
    animation = page.evaluate(
        "() => getComputedStyle(document.querySelector('#peerpath-widget')"
        ".shadowRoot.querySelector('.pp-dot')).animationName"
    )
    assert animation == "none"


def test_a_reply_lost_on_the_way_is_fetched_again_once_and_shown_once(new_page, site: Site) -> None:
    """The first try reaches the gateway and is answered, but a proxy loses the reply (502):
    the widget sends it again with the same message id and gets that same reply; the
    conversation holds the message once."""
    page = new_page()
    page.route_web_socket("**/ws", lambda ws: ws.close(code=1011, reason="blocked"))
    bodies: list[dict] = []

    def lose_the_first_reply(route: Route) -> None:
        bodies.append(route.request.post_data_json)
        if len(bodies) == 1:
            route.fetch()  # the gateway answers...
            route.fulfill(status=502, body="<html>502 Bad Gateway</html>")  # ...and it's lost
        else:
            route.continue_()

    page.route("**/api/chat", lose_the_first_reply)
    open_widget(page)
    send(page, "how long does peer specialist training take")
    reply_containing(page, "hours")
    assert len(bodies) == 2 and bodies[0] == bodies[1], "sent again, with the same id"
    assert bodies[0]["message_id"]
    expect(bot_messages(page).filter(has_text="hours")).to_have_count(1)
    said = [m for m in site.history(session_id(page))["messages"] if m["from"] == "me"]
    assert [m["text"] for m in said] == ["how long does peer specialist training take"]
