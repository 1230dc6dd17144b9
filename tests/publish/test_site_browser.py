"""The published site in headless Chromium, from file://: index, a day, an entry's source, search in
Chinese and English, the week; nothing fails to load, no script error, no script from content."""

from __future__ import annotations

import pytest

from tests.publish.conftest import DAYS
from tests.publish.days import HOSTILE_TITLE
from tests.report.test_html_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, record_problems

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_site_in_chromium(week):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    sources: list[str] = []
    seen: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            # Source sites are not reachable here: answer them locally and record the visit.
            def source_site(route):
                sources.append(route.request.url)
                route.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html><title>source</title>")

            context.route("http*://**/*", source_site)

            def watch(page):
                record_problems(page, problems)
                page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))

            context.on("page", watch)
            page = context.new_page()
            page.goto((week.site / "index.html").as_uri())
            page.wait_for_load_state("load")
            seen["latest"] = page.locator(".latest h2 a").inner_text()

            # A day from the archive, then one of its entries' source link (opens in a new tab).
            page.locator(".archive a", has_text=DAYS[0]).click()
            page.wait_for_load_state("load")
            seen["day_url"] = page.url
            seen["day_title"] = page.title()
            entry = page.locator(".entry").first
            seen["entry_url"] = entry.locator("a.title").get_attribute("href")
            with page.expect_popup() as popup:
                entry.locator(".source a").click()
            source = popup.value
            source.wait_for_load_state("load")
            seen["source_url"] = source.url
            source.close()
            # The day's navigation: the next issue, then its week.
            seen["next_label"] = page.locator(".site-nav a[rel=next]").inner_text()
            page.locator(".site-nav a[rel=next]").click()
            page.wait_for_load_state("load")
            seen["next_url"] = page.url
            seen["pwned"] = page.evaluate("typeof window.__pwned")
            seen["titles_day2"] = page.locator(".entry .title").all_inner_texts()
            page.get_by_role("link", name="本周周报 2026-W06").click()
            page.wait_for_load_state("load")
            seen["week_url"] = page.url
            seen["week_h1"] = page.locator("h1").inner_text()

            # Search, from the index: Chinese, English (any case), then follow a hit to its entry.
            page.goto((week.site / "index.html").as_uri())
            page.fill("#q", "寒武纪")
            seen["zh_status"] = page.locator("#search-status").inner_text()
            seen["zh_hits"] = page.locator("#results .hit-title").all_inner_texts()
            page.fill("#q", "anthropic")
            seen["en_hits"] = page.locator("#results .hit-title").all_inner_texts()
            page.fill("#q", "Anthropic")
            seen["en_hits_case"] = page.locator("#results .hit-title").all_inner_texts()
            seen["pwned_search"] = page.evaluate("typeof window.__pwned")
            page.screenshot(path=str(ARTIFACTS / "site-search.png"), full_page=True)
            page.fill("#q", "Nvidia OpenAI")
            page.locator("#results .hit-title").first.click()
            page.wait_for_load_state("load")
            seen["hit_url"] = page.url
            seen["hit_target"] = page.locator(".entry:target .title").inner_text()
        finally:
            browser.close()

    assert problems == []
    assert seen["latest"] == DAYS[-1]
    assert seen["day_url"].endswith(f"/{DAYS[0]}/index.html")
    assert seen["day_title"] == f"AI每日动态 - {DAYS[0]}"
    assert seen["source_url"] == seen["entry_url"] and seen["entry_url"].startswith("https://")
    assert sources == [seen["entry_url"]]  # the only request that left the site
    assert seen["next_url"].endswith(f"/{DAYS[1]}/index.html")
    # The next issue, not the next calendar day, and no date beside it that reads as one.
    assert seen["next_label"] == "下一期 →"
    assert seen["pwned"] == "undefined" and seen["pwned_search"] == "undefined"
    assert HOSTILE_TITLE in seen["titles_day2"]
    assert seen["week_url"].endswith("/weekly/2026-W06/index.html")
    assert "2026-W06" in seen["week_h1"]
    assert seen["zh_hits"] and all("寒武纪" in t for t in seen["zh_hits"][:1])
    assert seen["zh_status"].startswith("找到 ")
    assert any("Anthropic" in t for t in seen["en_hits"])
    assert HOSTILE_TITLE in seen["en_hits"]  # found through its tag and summary, shown as text
    assert seen["en_hits"] == seen["en_hits_case"]
    assert f"/{DAYS[2]}/index.html#e-" in seen["hit_url"]
    assert seen["hit_target"].startswith("Nvidia Completes")
