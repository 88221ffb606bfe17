"""The resource lookup for VR counselors (/resources)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Route, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_filtered_search_shows_ranked_passages_with_links_and_copies_one(
    new_page, screenshots: Path
) -> None:
    page = new_page(
        viewport={"width": 1280, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    page.goto("/resources")
    page.get_by_label("What does your client need?").fill("how long is peer specialist training")
    page.locator("#search-topic").select_option("training")
    with page.expect_request(lambda r: "/api/search?" in r.url) as searched:
        page.get_by_role("button", name="Search", exact=True).click()
    assert "topic=training" in searched.value.url
    results = page.locator("#results > li")
    expect(results.first).to_be_visible()
    assert results.count() >= 2
    for i in range(results.count()):
        result = results.nth(i)
        expect(result.locator("h3")).to_contain_text(f"{i + 1}. ")
        href = result.locator("h3 a").get_attribute("href") or ""
        assert "/kb/" in href
        expect(result.locator(".tags")).to_contain_text("Training")
    expect(page.locator("#search-status")).to_contain_text("best match first")

    first_link = results.first.locator("h3 a").get_attribute("href")
    results.first.get_by_role("button", name="Copy link").click()
    expect(results.first.locator(".copied")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == first_link
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "lookup.png")

    page.locator("#dir-region").select_option("Vermont")
    directory = page.locator("#directory > li")
    expect(directory.filter(has_text="Vermont Center for Independent Living")).to_have_count(1)
    expect(directory.filter(has_text="Connecticut")).to_have_count(0)
    expect(directory.filter(has_text="988 Suicide & Crisis Lifeline")).to_have_count(1)

    page.locator("#dir-kind").select_option("hotline")
    expect(directory.filter(has_text="Vermont Center")).to_have_count(0)
    expect(directory.first).to_contain_text("Hotline")


def test_weak_matches_are_flagged_plainly(new_page) -> None:
    page = new_page()

    def weak(route: Route) -> None:
        result = {"text": "Some text", "title": "Wages", "heading": "Pay", "source": "Wages",
                  "url": "javascript:alert(1)", "score": 0.1, "chunk_id": "wages#pay",
                  "doc": "wages", "topics": ["careers"], "audience": ["counselor"]}  # fmt: skip
        route.fulfill(json={"results": [result], "confident": False})

    page.route("**/api/search?*", weak)
    page.goto("/resources")
    page.get_by_label("What does your client need?").fill("something unusual")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#search-status")).to_contain_text("These may not match well")
    expect(page.locator("#results h3")).to_have_text("1. Wages")
    assert page.locator("#results a").count() == 0, "only http(s) links"
    assert json.loads(page.evaluate("() => JSON.stringify(typeof window.alert)")) == "function"


def test_a_counselor_builds_a_list_and_the_client_opens_prints_and_copies_it(
    new_page, screenshots: Path
) -> None:
    page = new_page(viewport={"width": 1280, "height": 1000})
    page.goto("/resources")
    page.get_by_label("What does your client need?").fill("keeping SSDI while working part time")
    page.get_by_role("button", name="Search", exact=True).click()
    first = page.locator("#results > li").first
    expect(first).to_be_visible()
    passage_title = first.locator("h3 a").inner_text()
    first.get_by_role("button", name="Add to list").first.click()
    lifeline = page.locator("#directory > li").filter(has_text="988 Suicide & Crisis Lifeline")
    lifeline.get_by_role("button", name="Add to list").click()
    expect(lifeline.get_by_role("button", name="Remove from list")).to_be_visible()
    items = page.locator("#list-items > li")
    expect(items).to_have_count(2)
    items.nth(1).get_by_role("button", name="Up").click()  # the hotline first
    expect(items.first).to_contain_text("988 Suicide & Crisis Lifeline")
    page.get_by_label("A short note for your client").fill("What we talked about today.")
    page.get_by_role("button", name="Create a link").click()
    expect(page.locator("#list-status")).to_have_text("Your link is ready.")
    link = page.locator("#list-made a").first.get_attribute("href") or ""
    assert "/lists/" in link
    page.locator("#my-list").screenshot(path=screenshots / "lookup-list.png")
    expect(page.locator("#recent-lists a")).to_have_count(1)
    page.get_by_role("button", name="Show as text").click()
    expect(page.get_by_label("The list as text")).to_have_value(re.compile("988 Suicide"))

    # the client, in another browser context: no storage, no session, just the link
    shared = new_page()
    shared.goto(link)
    expect(shared.get_by_role("heading", name="Resources for you")).to_be_visible()
    expect(shared.locator(".note")).to_have_text("What we talked about today.")
    titles = shared.locator(".shared-list .item-title")
    expect(titles).to_have_count(2)
    expect(titles.first).to_contain_text("988 Suicide & Crisis Lifeline")
    expect(titles.nth(1)).to_contain_text(passage_title.split(". ", 1)[-1])
    shared.screenshot(path=screenshots / "shared-list.png")
    shared.emulate_media(media="print")
    expect(shared.get_by_role("button", name="Print")).to_be_hidden()
    expect(shared.locator("header.site")).to_be_hidden()
    expect(shared.locator(".print-url").first).to_be_visible()
    shared.emulate_media(media="screen")
    text = shared.request.get(link + ".txt")
    assert text.ok and "1. 988 Suicide & Crisis Lifeline" in text.text()
