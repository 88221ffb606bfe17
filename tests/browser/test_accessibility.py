"""An axe-core audit of every page people use: no serious or critical violations.

axe runs from the copy bundled in axe-playwright-python (no network here), with
its default rules (WCAG 2.x A and AA plus best practices), inside shadow roots
too, so the widget's open panel is audited as part of the demo page.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, STAFF_TOKEN, Site
from tests.browser.widget import (
    ask_for_a_peer,
    open_widget,
    send,
    session_id,
    staff_open_ticket,
    staff_reply,
    staff_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BLOCKING = frozenset({"serious", "critical"})
AXE = Axe.from_file(AXE_FILE_PATH)  # the bundled axe.min.js, never a CDN


def selector(target: list[str | list[str]]) -> str:
    """axe's target for a node; a list inside it is a path into a shadow root."""
    return " >> ".join(part if isinstance(part, str) else " >> ".join(part) for part in target)


def blocking_violations(page: Page) -> list[str]:
    """One line per serious or critical axe violation on the page as it is now."""
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = "; ".join(selector(node["target"]) for node in violation["nodes"])
        lines.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return lines


def assert_accessible(page: Page) -> None:
    violations = blocking_violations(page)
    assert not violations, "axe found serious or critical violations:\n" + "\n".join(violations)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_demo_page_with_the_widget_open(new_page, viewport: dict[str, int]) -> None:
    page = new_page(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    open_widget(page)
    assert_accessible(page)


def test_the_resource_lookup_after_a_search(new_page) -> None:
    page = new_page()
    page.goto("/resources")
    page.get_by_label("What does your client need?").fill("keeping SSDI while working")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results > li").first).to_be_visible()
    expect(page.locator("#directory > li").first).to_be_visible()
    assert_accessible(page)


def test_a_counselors_list_while_built_and_as_the_client_sees_it(new_page) -> None:
    page = new_page()
    page.goto("/resources")
    lifeline = page.locator("#directory > li").filter(has_text="988 Suicide & Crisis Lifeline")
    lifeline.get_by_role("button", name="Add to list").click()
    page.get_by_role("button", name="Create a link").click()
    expect(page.locator("#list-status")).to_have_text("Your link is ready.")
    assert_accessible(page)
    page.goto(page.locator("#list-made a").first.get_attribute("href") or "")
    expect(page.get_by_role("heading", name="Resources for you")).to_be_visible()
    assert_accessible(page)


def test_a_knowledge_article_with_its_sources(new_page) -> None:
    page = new_page()
    page.goto("/kb/benefits-counseling-and-wipa")
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    assert_accessible(page)


def test_the_staff_console_sign_in(new_page) -> None:
    page = new_page()
    page.goto("/staff")
    expect(page.get_by_label("Staff token")).to_be_visible()
    assert_accessible(page)


def test_the_staff_console_in_a_conversation_with_a_person(new_page, site: Site) -> None:
    person = new_page()
    open_widget(person)
    ask_for_a_peer(person)
    ticket_id = site.history(session_id(person))["handoff"]["ticket_id"]

    staff = new_page()
    staff_sign_in(staff, STAFF_TOKEN)
    staff_open_ticket(staff, ticket_id)
    staff.get_by_role("button", name="Claim", exact=True).click()
    send(person, "Hello, is anyone there?")
    staff_reply(staff, "Hi, I'm Sam. I'm here.")
    expect(staff.locator("#thread li.from-person")).to_have_count(1)
    assert_accessible(staff)
