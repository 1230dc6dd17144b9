"""The HTML report in headless Chromium: no console error, no script from content, working filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newsbot import settings
from newsbot.config import config_for
from newsbot.report.render import render_formats
from tests.report.test_render import report_from

HERE = Path(__file__).parent
ARTIFACTS = HERE.parent / "artifacts"
CHROMIUM = Path(config_for(Settings()).crawl.chromium_path)
# The same flags the crawl's browser runs with: this machine's closed network needs them.
CHROMIUM_ARGS = settings.PLAYWRIGHT_LAUNCH_OPTIONS["args"]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]


def record_problems(page, problems: list[str]) -> None:
    """Note every console error, page error and dialog (a content script ran) of `page` in `problems`."""
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))


def check_in_browser(html_path: Path, screenshot: Path) -> dict:
    """Open the report, exercise the filters and return what the page showed; raise on any
    console error, page error, dialog (a content script ran) or request leaving the file."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    seen: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            record_problems(page, problems)
            page.on("request", lambda r: None if r.url.startswith("file:") else problems.append(f"request {r.url}"))
            page.goto(html_path.as_uri())
            page.wait_for_load_state("load")

            def visible():
                return page.locator(".entry:visible").evaluate_all(
                    "els => els.map(e => e.dataset.region + ':' + e.dataset.importance)"
                )

            seen["pwned"] = page.evaluate("typeof window.__pwned")
            seen["titles"] = page.locator(".entry .title").all_inner_texts()
            seen["tags"] = page.locator(".tags li").all_inner_texts()
            seen["also"] = page.locator(".also a").evaluate_all("els => els.map(a => [a.textContent, a.href])")
            seen["footer"] = page.locator("footer .missing").all_inner_texts()
            seen["all"] = visible()
            page.get_by_role("button", name="国内").click()
            seen["domestic"] = visible()
            seen["international_section_hidden"] = page.locator("section#international").is_hidden()
            page.get_by_role("button", name="🔥 高").click()
            seen["domestic_not_high"] = visible()
            seen["count"] = page.locator("#visible-count").inner_text()
            page.get_by_role("button", name="全部").click()
            seen["all_not_high"] = visible()
            page.get_by_role("button", name="🔥 高").click()
            seen["all_again"] = visible()
            page.set_viewport_size({"width": 1280, "height": 900})
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert problems == []
    return seen


def test_html_report_in_chromium(tmp_path):
    data = json.loads((HERE / "fixtures" / "golden_report.json").read_text(encoding="utf-8"))
    html = tmp_path / "2026-02-04.html"
    html.write_text(render_formats(report_from(data), ["html"])["html"], encoding="utf-8")
    seen = check_in_browser(html, ARTIFACTS / "report-golden.png")

    assert seen["pwned"] == "undefined"
    assert "<script>alert(1)</script> & other *markdown* [tricks]" in seen["titles"]
    assert "<b>标签</b>" in seen["tags"]
    assert ["量子位", "https://www.qbitai.com/2026/02/1.html"] in seen["also"]
    assert ["36氪", "https://36kr.com/p/4?f=rss"] in seen["also"]
    assert seen["footer"] == ["⚠️ 本期缺失来源: Bloomberg Technology（被拦截）"]
    assert len(seen["all"]) == 8
    assert seen["domestic"] == [f"domestic:{e['importance']}" for e in data["domestic"]]
    assert seen["international_section_hidden"] is True
    assert seen["domestic_not_high"] == ["domestic:medium", "domestic:low", "domestic:low"]
    assert seen["count"] == "3"
    assert seen["all_not_high"] == ["domestic:medium", "domestic:low", "domestic:low", "international:medium"]
    assert seen["all_again"] == seen["all"]
    assert (ARTIFACTS / "report-golden.png").stat().st_size > 10_000
