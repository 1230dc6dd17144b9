"""The reader nits of issue 20 in headless Chromium, at a desktop (1280 px) and a phone (390 px) width:
the sticky filter bar's height, section counts that follow the filter, an empty day, the footer."""

from __future__ import annotations

import json

import pytest

from newsbot.report.render import render_formats
from tests.report.test_html_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, HERE, record_problems
from tests.report.test_render import report_from

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

GOLDEN = json.loads((HERE / "fixtures" / "golden_report.json").read_text(encoding="utf-8"))
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
MAX_BAR_PX = 80


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    """Both reports at both widths, opened once: what each showed, keyed by (report, width)."""
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("reader")
    pages = {
        "golden": render_formats(report_from(GOLDEN), ["html"])["html"],
        "empty": render_formats(report_from({**GOLDEN, "domestic": [], "international": []}), ["html"])["html"],
    }
    out: dict = {"problems": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for name, html in pages.items():
                path = folder / f"{name}.html"
                path.write_text(html, encoding="utf-8")
                for width_name, (width, height) in WIDTHS.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    record_problems(page, out["problems"])
                    page.goto(path.as_uri())
                    page.wait_for_load_state("load")
                    out[name, width_name] = read_page(page, name == "golden")
                    page.screenshot(path=str(ARTIFACTS / f"reader-{name}-{width_name}.png"))
                    page.close()
        finally:
            browser.close()
    return out


def counts(page) -> dict:
    return {
        "domestic": page.locator("#domestic h2 .n").inner_text(),
        "international": page.locator("#international h2 .n").inner_text(),
        "domestic_visible": page.locator("#domestic .entry:visible").count(),
        "international_visible": page.locator("#international .entry:visible").count(),
        "note_domestic": page.locator("#domestic .empty:visible").all_inner_texts(),
        "note_international": page.locator("#international .empty:visible").all_inner_texts(),
    }


def read_page(page, filters: bool) -> dict:
    bar = page.locator(".filters").bounding_box()
    seen = {
        "bar_height": bar["height"],
        "bar_fits": page.evaluate("document.querySelector('.filters').getBoundingClientRect().right")
        <= page.viewport_size["width"],
        "chips_visible": page.locator(".chip").evaluate_all(
            "els => els.every(c => { const r = c.getBoundingClientRect(); return r.height > 0 && r.width > 0; })"
        ),
        "empty_items": page.locator("li", has_text="暂无入选").count(),
        "empty_notes": page.locator(".empty:visible").all_inner_texts(),
        "footer": page.locator("footer > p").last.inner_text(),
        "analysis": page.locator("footer details p").last.text_content(),
        "start": counts(page),
    }
    # Scrolled down, the bar stays on top, still within its height.
    seen["scrolled_by"] = page.evaluate("window.scrollTo(0, 1500); window.scrollY")
    seen["bar_top_scrolled"] = page.locator(".filters").bounding_box()["y"]
    page.evaluate("window.scrollTo(0, 0)")
    if filters:
        page.locator(".chip[data-value=high]").click()
        seen["not_high"] = counts(page)
        page.locator(".chip[data-value=medium]").click()
        page.locator(".chip[data-value=low]").click()
        seen["none"] = counts(page)
    return seen


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sticky_filter_bar_is_at_most_80_px(seen, width):
    for name in ("golden", "empty"):
        shown = seen[name, width]
        assert shown["bar_height"] <= MAX_BAR_PX, (name, width, shown["bar_height"])
        assert shown["bar_fits"] and shown["chips_visible"]
    golden = seen["golden", width]
    assert golden["scrolled_by"] > 500 and abs(golden["bar_top_scrolled"]) < 1, "the bar sticks to the top"
    assert seen["problems"] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_section_counts_follow_the_filter(seen, width):
    domestic = [e["importance"] for e in GOLDEN["domestic"]]
    international = [e["importance"] for e in GOLDEN["international"]]
    shown = seen["golden", width]
    assert shown["start"]["domestic"] == str(len(domestic))
    assert shown["start"]["international"] == str(len(international))
    not_high = shown["not_high"]
    d, i = sum(x != "high" for x in domestic), sum(x != "high" for x in international)
    assert (not_high["domestic_visible"], not_high["international_visible"]) == (d, i)
    assert not_high["domestic"] == f"{d} / {len(domestic)}"
    assert not_high["international"] == f"{i} / {len(international)}"
    # Nothing left by the filter: 0 of n, and a note that says why.
    none = shown["none"]
    assert none["domestic"] == f"0 / {len(domestic)}" and none["international"] == f"0 / {len(international)}"
    assert none["note_domestic"] == ["（没有符合筛选条件的动态）"]
    assert shown["start"]["note_domestic"] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_an_empty_day_is_a_note_not_a_numbered_item(seen, width):
    shown = seen["empty", width]
    assert shown["empty_items"] == 0
    assert shown["empty_notes"] == ["（今日暂无入选动态）", "（今日暂无入选动态）"]
    assert shown["start"]["domestic"] == "0"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_footer_is_readable(seen, width):
    shown = seen["golden", width]
    assert shown["footer"].startswith("窗口 2月3日 09:00 至 2月4日 09:00（UTC+8）")
    assert "T09:00" not in shown["footer"]
    assert shown["analysis"].startswith("分析: 离线规则（未调用 LLM）") and "tokens" not in shown["analysis"]
