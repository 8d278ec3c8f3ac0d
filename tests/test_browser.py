"""The pages in a real browser: Debian's Chromium, driven by Playwright, over a real server.

They skip, saying why, where Chromium is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.conftest import Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def problems() -> list[str]:
    """Console errors and uncaught exceptions of the page under test."""
    return []


@pytest.fixture
def page(browser: Browser, endpoint: Server, problems: list[str]) -> Iterator[Page]:
    """A page that reaches only the server under test: the site must work offline."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))

    def local_only(route: Route) -> None:
        if route.request.url.startswith(endpoint.url):
            route.continue_()
        else:
            route.abort()

    opened.route("**/*", local_only)
    yield opened
    context.close()


def test_query_page_edits_and_runs_a_catalog_query(page: Page, endpoint: Server, problems: list[str]) -> None:
    page.goto(f"{endpoint.url}/sparql")
    page.wait_for_selector(".CodeMirror")
    page.get_by_role("link", name="Run: Entities mentioned most often").click()
    page.wait_for_url(re.compile(r"/sparql\?query="))
    page.wait_for_selector("table tbody tr")
    first = page.locator("table tbody tr").first.locator("td a").first
    assert first.inner_text() == "China"
    assert page.locator(".CodeMirror").count() == 1
    first.click()
    page.wait_for_url("**/page/**")
    assert page.locator("h1").inner_text() == "China"
    assert problems == []


def test_entity_page_renders_offline(page: Page, endpoint: Server, problems: list[str]) -> None:
    page.goto(f"{endpoint.url}/page/russia")
    assert page.locator("h1").inner_text() == "Russia"
    assert page.locator("svg.diagram circle").count() > 3
    assert page.locator("button.copy").is_visible()
    page.get_by_role("link", name="read in context").first.click()
    page.wait_for_url("**/document/**")
    fragment = page.url.split("#", 1)[1]
    assert page.locator(f"#{fragment}").is_visible()
    assert problems == []


def test_search_from_the_home_page(page: Page, endpoint: Server, problems: list[str]) -> None:
    page.goto(endpoint.url + "/")
    page.fill("#q", "Rusia")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    page.get_by_role("link", name="Russia", exact=True).click()
    page.wait_for_url("**/page/russia")
    assert page.locator("h1").inner_text() == "Russia"
    assert problems == []


def test_reading_view_links_mentions(page: Page, endpoint: Server, problems: list[str]) -> None:
    page.goto(f"{endpoint.url}/document/new-axis-of-totalitarianism")
    mention = page.locator("a.mention").first
    name = mention.inner_text()
    mention.click()
    page.wait_for_url("**/page/**")
    assert name  # the mention's text is what the essay says
    assert problems == []


def test_threat_map_and_ontology(page: Page, endpoint: Server, problems: list[str]) -> None:
    page.goto(f"{endpoint.url}/threats")
    assert page.locator("a[href^='/page/threat/']").count() > 5
    page.goto(f"{endpoint.url}/ontology#Claim")
    assert page.locator("#Claim").is_visible()
    assert problems == []
