"""GET /api/resources and the pages' routes, in-process (fast: no browser, no Rasa)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.resources import Directory
from peerpath.settings import Settings

MARKUP_SINKS = re.compile(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write")


@pytest.fixture
def settings(test_env: dict[str, str]) -> Settings:
    return Settings.from_env(test_env)


@pytest.fixture
def client(settings: Settings, small_index, safety_net):
    with TestClient(create_app(settings, index=small_index, safety=safety_net)) as client:
        yield client


@pytest.fixture
def directory(settings: Settings) -> Directory:
    return Directory.load(settings.search.resources_file)


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["name"] for r in response.json()["resources"]]


def test_without_filters_every_resource_is_listed_with_the_known_filters(
    client, directory: Directory
) -> None:
    body = client.get("/api/resources").json()
    assert [r["id"] for r in body["resources"]] == [r.id for r in directory.resources]
    assert body["regions"] == directory.regions()
    assert body["topics"] == directory.topics()
    assert body["kinds"] == ["hotline", "organization", "program", "training"]
    lifeline = body["resources"][0]
    assert lifeline["phone"] == "988" and lifeline["topics"] == ["resources", "wellness"]


def test_a_region_shows_its_own_and_national_resources(client) -> None:
    found = client.get("/api/resources", params={"region": "Vermont"}).json()["resources"]
    assert {r["region"] for r in found} == {"Vermont", "national"}
    assert "Vermont Center for Independent Living (VCIL)" in [r["name"] for r in found]
    assert names(client.get("/api/resources?region=vermont")) == [r["name"] for r in found]


def test_topic_and_kind_filters_combine(client) -> None:
    found = client.get("/api/resources", params={"topic": "benefits", "kind": "program"})
    assert found.status_code == 200
    resources = found.json()["resources"]
    assert resources, "the directory has benefits programs"
    assert all("benefits" in r["topics"] and r["kind"] == "program" for r in resources)
    hotlines = names(client.get("/api/resources", params={"kind": "hotline"}))
    assert "988 Suicide & Crisis Lifeline" in hotlines
    assert names(client.get("/api/resources", params={"kind": "", "region": " "})) == names(
        client.get("/api/resources")
    )


@pytest.mark.parametrize(
    ("params", "word"),
    [({"region": "Atlantis"}, "region"), ({"topic": "astrology"}, "topic"),
     ({"kind": "<script>"}, "kind")],
)  # fmt: skip
def test_unknown_filter_values_are_refused_with_400(client, params, word) -> None:
    response = client.get("/api/resources", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error.startswith(f"Unknown {word}:") and "Known:" in error


def test_the_demo_page_embeds_the_widget_with_one_script_tag(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<script src="/widget.js" data-title="Ask PeerPath"' in page.text
    assert "demo page" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_the_widget_and_page_scripts_are_served_as_javascript(client) -> None:
    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")
    assert widget.headers["cross-origin-resource-policy"] == "cross-origin"
    for name in ("dom.js", "lookup.js", "staff.js", "pages.css"):
        assert client.get(f"/static/{name}").status_code == 200
    scripts = [client.get(f"/static/{name}").text for name in ("dom.js", "lookup.js", "staff.js")]
    for script in (widget.text, *scripts):
        assert not MARKUP_SINKS.search(script), "data is inserted as text only"
    assert client.get("/static/secrets.txt").status_code == 404
    assert client.get("/static/..%2Fpages.py").status_code == 404


def test_the_lookup_page_offers_the_index_and_directory_filters(client, small_index) -> None:
    page = client.get("/resources")
    assert page.status_code == 200
    topics = sorted({t for p in small_index.passages for t in p.topics})
    for topic in topics:
        assert f'<option value="{topic}">' in page.text
    assert '<option value="Vermont">Vermont</option>' in page.text
    assert '<script src="/static/lookup.js" defer></script>' in page.text


def test_the_staff_console_asks_for_a_token(client) -> None:
    page = client.get("/staff")
    assert page.status_code == 200
    assert 'type="password"' in page.text and "/static/staff.js" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_the_directory_exports_as_csv_for_an_agencys_own_system(
    client, directory: Directory
) -> None:
    exported = client.get("/api/resources", params={"format": "csv"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["id"] for r in rows] == [r.id for r in directory.resources]
    assert rows[0]["phone"] == "988" and rows[0]["topics"] == "resources; wellness"
    vermont = client.get("/api/resources", params={"format": "csv", "region": "Vermont"})
    assert {r["region"] for r in csv.DictReader(io.StringIO(vermont.text))} == {
        "Vermont",
        "national",
    }
    assert client.get("/api/resources", params={"format": "xml"}).status_code == 400
