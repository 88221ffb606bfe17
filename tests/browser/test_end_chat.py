"""A chat that ends: in a real Chromium against the real stack, the widget keeps its
session in the tab, and "End chat" erases the conversation and revokes its token."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Site
from tests.browser.widget import (
    bot_messages,
    message_box,
    my_messages,
    open_widget,
    reply_containing,
    send,
    session_id,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STORED = """() => [sessionStorage.getItem('peerpath:session'),
  localStorage.getItem('peerpath:session'), localStorage.getItem('peerpath:remembered')]"""


def test_end_chat_erases_the_chat_and_no_tab_of_that_browser_reopens_it(
    new_page, site: Site
) -> None:
    page = new_page()
    open_widget(page)
    expect(bot_messages(page).first).to_contain_text("On a shared computer?")
    send(page, "are you a real person?")
    reply_containing(page, "computer program")
    token = session_id(page)
    assert page.evaluate(STORED)[1:] == [None, None], "nothing on the device by default"
    assert site.history(token)["messages"]

    # Another tab of the same browser: the session lives in the first tab only.
    other = page.context.new_page()
    open_widget(other)
    expect(my_messages(other)).to_have_count(0)
    other.close()

    # Keyboard: End chat asks first, with the focus on keeping the chat; Escape keeps it.
    end = page.get_by_role("button", name="End chat")
    end.focus()
    page.keyboard.press("Enter")
    keep = page.get_by_role("button", name="Keep chatting")
    expect(keep).to_be_focused()
    expect(page.get_by_role("group", name="End this chat and erase it?")).to_be_visible()
    page.keyboard.press("Escape")
    expect(end).to_be_focused()
    expect(my_messages(page)).to_have_count(1)

    page.keyboard.press("Enter")
    expect(keep).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Yes, end and erase")).to_be_focused()
    page.keyboard.press("Enter")

    log = page.locator(".pp-log")
    expect(log).to_contain_text("Your chat has ended and was erased.")
    expect(my_messages(page)).to_have_count(0)
    expect(log).not_to_contain_text("computer program")
    expect(message_box(page)).to_be_focused()
    assert page.evaluate(STORED) == [None, None, None]

    refused = httpx.get(f"{site.url}/api/history", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401, "the old token is revoked"

    page.reload()  # the same tab, reloaded (the panel was open: it opens again)
    expect(bot_messages(page).first).to_be_visible()
    expect(my_messages(page)).to_have_count(0)
    expect(log).not_to_contain_text("computer program")

    later = page.context.new_page()  # a second visit in the same browser profile
    open_widget(later)
    expect(my_messages(later)).to_have_count(0)
    expect(later.locator(".pp-log")).not_to_contain_text("computer program")
    later.close()
