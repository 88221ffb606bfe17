"""A person asks for a peer in the widget; a peer answers from the staff console."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.conftest import OTHER_STAFF_TOKEN, STAFF_TOKEN, Site
from tests.browser.widget import (
    REPLY_TIMEOUT,
    ask_for_a_peer,
    open_widget,
    reply_containing,
    send,
    session_id,
    staff_open_ticket,
    staff_reply,
    staff_sign_in,
    state_bar,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def pushes(page: Page) -> list[dict]:
    """Every {"type": "push"} frame the page's WebSockets receive, collected as they come."""
    frames: list[dict] = []

    def watch(socket) -> None:
        def received(payload: str | bytes) -> None:
            data = json.loads(payload)
            if data.get("type") == "push":
                frames.append(data)

        socket.on("framereceived", received)

    page.on("websocket", watch)
    return frames


def waiting_person(new_page, site: Site) -> tuple[Page, str, list[dict]]:
    person = new_page()
    frames = pushes(person)
    open_widget(person)
    ask_for_a_peer(person)
    ticket_id = site.history(session_id(person))["handoff"]["ticket_id"]
    return person, ticket_id, frames


def test_a_peer_claims_from_the_console_and_the_reply_is_pushed_to_the_widget(
    new_page, site: Site, screenshots: Path
) -> None:
    person, ticket_id, frames = waiting_person(new_page, site)

    staff = new_page()
    staff_sign_in(staff, STAFF_TOKEN)
    ticket = staff.locator(f'#queue li[data-ticket-id="{ticket_id}"]')
    expect(ticket).to_contain_text("Waiting")
    expect(ticket).to_contain_text("Work and jobs")
    staff_open_ticket(staff, ticket_id)
    staff.get_by_role("button", name="Claim", exact=True).click()
    expect(ticket).to_contain_text("Claimed by you")
    expect(state_bar(person)).to_contain_text("Sam, a peer supporter, joined", timeout=10_000)

    send(person, "Hi Sam, I'd like to talk about going back to work.")
    expect(staff.locator("#thread li.from-person")).to_have_text(
        ["PersonHi Sam, I'd like to talk about going back to work."]
    )
    staff_reply(staff, "Hi, I'm Sam. I'm glad you reached out. What kind of work?")
    reply = reply_containing(person, "Sam: Hi, I'm Sam. I'm glad you reached out.")
    expect(reply).to_contain_text("Peer supporter")
    assert any("I'm glad you reached out" in json.dumps(f) for f in frames), "pushed over WS"
    staff.screenshot(path=screenshots / "staff-console.png")

    staff.get_by_role("button", name="End chat").click()
    expect(staff.locator("#ticket-meta")).to_have_text("This chat has ended.")
    expect(ticket).to_have_count(0)
    expect(state_bar(person)).to_contain_text("back with the assistant", timeout=10_000)
    reply_containing(person, "The chat with the peer has ended")


def test_markup_from_a_peer_is_shown_as_text_and_never_runs(new_page, site: Site) -> None:
    person, ticket_id, _ = waiting_person(new_page, site)
    staff = new_page()
    staff_sign_in(staff, STAFF_TOKEN)
    staff_open_ticket(staff, ticket_id)
    staff.get_by_role("button", name="Claim", exact=True).click()
    expect(state_bar(person)).to_contain_text("joined", timeout=REPLY_TIMEOUT)

    attack = "<script>window.pwned=1</script><b>hi</b><img src=x onerror=window.pwned=2>"
    staff_reply(staff, attack)
    shown = reply_containing(person, "<script>window.pwned=1</script>")
    expect(shown.locator(".pp-text")).to_have_text(f"Sam: {attack}")
    assert shown.locator("b, img, script").count() == 0
    person.reload()  # and again when the history is restored
    expect(person.locator(".pp-log .pp-text").filter(has_text=attack)).to_have_count(1)
    assert person.locator(".pp-log b, .pp-log img").count() == 0
    for page in (person, staff):
        assert page.evaluate("() => typeof window.pwned") == "undefined"
    staff.get_by_role("button", name="End chat").click()
    expect(staff.locator("#ticket-meta")).to_have_text("This chat has ended.")


def test_with_websockets_blocked_the_widget_uses_http_and_polls_for_the_peer(
    new_page, site: Site
) -> None:
    person = new_page()
    blocked: list[str] = []

    def block(route: WebSocketRoute) -> None:
        blocked.append(route.url)
        route.close(code=1011, reason="blocked by a proxy")

    person.route_web_socket("**/ws", block)
    with person.expect_request(lambda r: r.url.endswith("/api/chat")) as posted:
        open_widget(person)
        send(person, "are you a bot?")
    assert posted.value.method == "POST"
    reply_containing(person, "computer program")
    expect(person.locator(".pp-conn")).to_be_hidden()

    ask_for_a_peer(person)
    assert blocked, "the widget tried the WebSocket first"
    ticket_id = site.history(session_id(person))["handoff"]["ticket_id"]
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    api = f"{site.url}/api/staff/tickets/{ticket_id}"
    assert httpx.post(f"{api}/claim", headers=staff).status_code == 200
    expect(state_bar(person)).to_contain_text("Sam, a peer supporter, joined", timeout=15_000)
    sent = httpx.post(f"{api}/messages", headers=staff, json={"text": "Hello from Sam by HTTP"})
    assert sent.status_code == 200
    reply_containing(person, "Sam: Hello from Sam by HTTP")
    expect(person.locator(".pp-log .pp-text").filter(has_text="joined")).to_have_count(1)
    assert httpx.post(f"{api}/end", headers=staff).status_code == 200
    expect(state_bar(person)).to_contain_text("back with the assistant", timeout=15_000)


def test_a_ticket_claimed_elsewhere_shows_as_claimed_in_the_console(new_page, site: Site) -> None:
    person, ticket_id, _ = waiting_person(new_page, site)
    staff = new_page()
    staff_sign_in(staff, STAFF_TOKEN)
    ticket = staff_open_ticket(staff, ticket_id)
    expect(staff.get_by_role("button", name="Claim", exact=True)).to_be_visible()

    alex = {"Authorization": f"Bearer {OTHER_STAFF_TOKEN}"}
    api = f"{site.url}/api/staff/tickets/{ticket_id}"
    assert httpx.post(f"{api}/claim", headers=alex).status_code == 200
    expect(ticket).to_contain_text("Claimed by Alex")  # live, over /ws/staff
    expect(staff.locator("#ticket-meta")).to_contain_text("Claimed by Alex")
    expect(staff.get_by_role("button", name="Claim", exact=True)).to_be_hidden()
    expect(staff.locator("#reply-form")).to_be_hidden()
    expect(staff.get_by_role("button", name="End chat")).to_be_hidden()
    expect(state_bar(person)).to_contain_text("Alex, a peer supporter, joined")
    assert httpx.post(f"{api}/end", headers=alex).status_code == 200
    expect(ticket).to_have_count(0)
