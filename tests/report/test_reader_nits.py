"""What a reader sees in the txt, md and html reports and on the site's pages (issue 20, item 9): an
empty day is no numbered item, the footer reads as prose, one name for other reports, 上一期/下一期."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsbot.archive.site import day_html, index_html, same_page
from newsbot.archive.stored import StoredDay
from newsbot.report.render import render_formats
from tests.report.test_render import report_from

HERE = Path(__file__).parent
GOLDEN = json.loads((HERE / "fixtures" / "golden_report.json").read_text(encoding="utf-8"))
FORMATS = ["txt", "md", "html"]


def empty_payload(day: str = "2026-02-04") -> dict:
    return {**GOLDEN, "date": day, "domestic": [], "international": []}


@pytest.fixture(scope="module")
def golden() -> dict[str, str]:
    return render_formats(report_from(GOLDEN), FORMATS)


@pytest.fixture(scope="module")
def empty() -> dict[str, str]:
    return render_formats(report_from(empty_payload()), FORMATS)


def stored(payload: dict) -> StoredDay:
    return StoredDay(payload["date"], datetime.fromisoformat(GOLDEN["generated_at"]).astimezone(UTC), None, payload)


def test_an_empty_day_is_no_numbered_item(empty):
    for fmt in ("txt", "md"):
        text = empty[fmt]
        assert "（今日暂无入选动态）" in text
        assert not re.search(r"^\s*\d+[.、]\s*（今日暂无入选动态）", text, re.M), fmt
    html = empty["html"]
    assert '<p class="empty">（今日暂无入选动态）</p>' in html
    assert not re.search(r"<li[^>]*>\s*（今日暂无", html)
    # The index's 最新一期 of an empty day: a note, not item 1 of a list.
    index = index_html([stored(empty_payload())], [], 3, "")
    assert "（今日暂无入选动态）" in index
    assert not re.search(r"<li[^>]*>\s*（今日暂无", index) and '<ol class="short">' not in index


def test_the_footer_reads_as_prose_without_an_llm(golden):
    html = golden["html"]
    assert "窗口 2月3日 09:00 至 2月4日 09:00（UTC+8）" in html
    assert "T09:00:00" not in html
    assert "tokens" not in html and "LLM: 0 + 0" not in html
    assert "离线规则（未调用 LLM）" in html


def test_the_footer_counts_tokens_when_an_llm_wrote_the_day():
    llm = {"prompt_tokens": 1200, "completion_tokens": 300, "cost_usd": 0.0021, "overview": "llm"}
    payload = {**GOLDEN, "stats": {**GOLDEN["stats"], "llm": {**llm, "by_analyzer": {"llm": 8}}, "fallbacks": 2}}
    html = render_formats(report_from(payload), ["html"])["html"]
    assert "LLM: 1200 + 300 tokens · $0.0021 · 回退 2 次 · 今日总结: LLM 撰写" in html


def test_other_reports_have_one_name_in_every_format(golden):
    also = [e for e in GOLDEN["domestic"] + GOLDEN["international"] if e["also_reported_by"]]
    assert also
    for fmt, text in golden.items():
        assert "另见" not in text and "Also reported" not in text, fmt
        assert text.count("同时报道") == len(also), fmt
    first = also[0]["also_reported_by"][0]
    assert f"   🔁 同时报道: {first['source_name']} {first['url']}" in golden["txt"]


def test_the_site_links_the_previous_and_next_issue():
    days = [stored(empty_payload(d)) for d in ("2026-02-04", "2026-12-06", "2026-12-08")]
    middle = day_html(days[1], days[0], days[2], 3)
    assert ">← 上一期</a>" in middle and ">下一期 →</a>" in middle
    assert "下一天" not in middle and "上一天" not in middle
    assert 'title="2026-12-08"' in middle  # the date is there on hover, not read as "the next day"


def test_a_page_whose_only_change_is_its_generation_time_is_the_same_page():
    old = '<p>生成时间: <time class="generated" datetime="2026-02-08T10:00:00+08:00">2026-02-08 10:00:00</time></p>'
    new = old.replace("10:00:00", "11:30:00")
    assert same_page(old, new)
    assert not same_page(old, new.replace("<p>", "<p>x"))
