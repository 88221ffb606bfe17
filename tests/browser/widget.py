"""Driving the chat widget and the staff console the way people do."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

REPLY_TIMEOUT = 30_000  # Rasa plus the safety net, on a busy test machine

# The element that really has focus, looking inside shadow roots.
DEEP_FOCUS = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el ? (el.id || el.className || el.tagName) : null;
}"""


def launcher(page: Page, title: str = "Ask PeerPath") -> Locator:
    return page.get_by_role("button", name=title)


def panel(page: Page) -> Locator:
    return page.locator("#pp-panel")


def message_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Your message")


def open_widget(page: Page, path: str = "/") -> None:
    page.goto(path)
    launcher(page).click()
    expect(message_box(page)).to_be_focused()
    expect(bot_messages(page).first).to_be_visible()  # the greeting


def send(page: Page, text: str) -> None:
    message_box(page).fill(text)
    message_box(page).press("Enter")


def bot_messages(page: Page) -> Locator:
    return page.locator(".pp-log .pp-from-bot")


def my_messages(page: Page) -> Locator:
    """The text of what the person sent (or the titles of the buttons they tapped)."""
    return page.locator(".pp-log .pp-from-me .pp-text")


def reply_containing(page: Page, text: str) -> Locator:
    found = page.locator(".pp-log .pp-msg").filter(has_text=text).last
    expect(found).to_be_visible(timeout=REPLY_TIMEOUT)
    return found


def state_bar(page: Page) -> Locator:
    return page.locator(".pp-bar[class*='pp-state-']")


def focused(page: Page) -> str | None:
    return page.evaluate(DEEP_FOCUS)


def session_id(page: Page) -> str:
    """The session token the gateway issued this tab (kept in sessionStorage)."""
    return page.evaluate("() => sessionStorage.getItem('peerpath:session')")


def ask_for_a_peer(page: Page) -> None:
    """Ask for a person, agree, pick a topic: the widget then waits for a peer."""
    send(page, "can I talk to a real person")
    page.get_by_role("button", name="Yes, connect me").click()
    page.get_by_role("button", name="Work and jobs").click(timeout=REPLY_TIMEOUT)
    expect(state_bar(page)).to_contain_text("Waiting for a peer", timeout=REPLY_TIMEOUT)


def staff_sign_in(page: Page, token: str) -> None:
    page.goto("/staff")
    page.get_by_label("Staff token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#me")).to_have_text("Sam")


def staff_open_ticket(page: Page, ticket_id: str) -> Locator:
    ticket = page.locator(f'#queue li[data-ticket-id="{ticket_id}"]')
    ticket.get_by_role("button").click()
    expect(page.locator("#ticket")).to_be_visible()
    return ticket


def staff_reply(page: Page, text: str) -> None:
    page.get_by_label("Write to the person").fill(text)
    page.locator("#reply-form").get_by_role("button", name="Send").click()
    expect(page.locator("#thread li.from-peer").filter(has_text=text).last).to_be_visible()
