"""GET /api/search and the /kb article pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from peerpath.settings import Settings


@pytest.fixture
def client(test_env: dict[str, str], fixture_kb: Path, small_index, safety_net):
    settings = Settings.from_env({**test_env, "KNOWLEDGE_DIRS": str(fixture_kb)})
    with TestClient(create_app(settings, index=small_index, safety=safety_net)) as client:
        yield client


def test_search_returns_ranked_results_with_their_source(client) -> None:
    response = client.get("/api/search", params={"q": "what do peers earn", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["confident"] is True
    results = body["results"]
    assert 1 <= len(results) <= 3
    top = results[0]
    assert set(top) >= {"text", "title", "heading", "source", "url", "score", "chunk_id"}
    assert top["chunk_id"] == "peer-jobs#how-much-do-peer-specialists-earn"
    assert top["url"].endswith("/kb/peer-jobs#how-much-do-peer-specialists-earn")
    assert top["source"] == "Peer jobs in brief, “How much do peer specialists earn?”"
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_topic_filter(client) -> None:
    results = client.get("/api/search", params={"q": "work", "topic": "benefits"}).json()["results"]
    assert results and all("benefits" in r["topics"] for r in results)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "q is required"),
        ({"q": "   "}, "q is required"),
        ({"q": "pay", "k": "lots"}, "k must be"),
        ({"q": "pay", "k": "0"}, "k must be"),
        ({"q": "pay", "k": "500"}, "k must be"),
        ({"q": "pay", "topic": "astrology"}, "Unknown topic: astrology"),
    ],
)
def test_bad_search_requests_get_a_clear_400(client, params, words) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    assert words in response.json()["error"]


def test_long_unicode_and_emoji_queries_are_fine(client) -> None:
    for q in ("🙂" * 50, "¿Qué hace un especialista?", "pay " * 5000):
        response = client.get("/api/search", params={"q": q})
        assert response.status_code == 200
        assert isinstance(response.json()["results"], list)


def test_off_topic_search_is_marked_not_confident(client) -> None:
    body = client.get("/api/search", params={"q": "capital city of france"}).json()
    assert body["confident"] is False


def test_article_page_renders_markdown_with_sources_and_anchors(client) -> None:
    response = client.get("/kb/peer-jobs")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Peer jobs in brief</h1>" in html
    assert 'id="how-much-do-peer-specialists-earn"' in html
    assert 'href="https://example.org/peer-work"' in html


def test_article_page_escapes_html_and_refuses_unknown_docs(client, fixture_kb: Path) -> None:
    assert client.get("/kb/nope").status_code == 404
    assert client.get("/kb/../../etc/passwd").status_code == 404
    html = client.get("/kb/coalition").text
    assert "<script>" not in html
    assert "Riverbend Peer Center" in html


def test_benefits_article_carries_the_general_information_note(client) -> None:
    assert "not legal or" in client.get("/kb/benefits-basics").text
