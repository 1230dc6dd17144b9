"""`scrapy report --week` over the bundled day and two more: one entry per event, first day and
days ran, counts by region and category, a 本周总结 composed offline in Chinese."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.publish.conftest import DAYS
from tests.publish.days import CAMBRICON_REPEAT_URL, NVIDIA_DAY1_URL, NVIDIA_DAY2_URL, NVIDIA_DAY3_URL

# Every test reads the week the real scrapy commands built.
pytestmark = pytest.mark.slow


def weekly(week) -> dict:
    return json.loads((week.reports / "2026-W06.json").read_text(encoding="utf-8"))


def test_week_writes_four_formats_and_prints_their_paths(week):
    printed = week.runs["week"].stdout.splitlines()
    for fmt in ("txt", "md", "html", "json"):
        path = week.reports / f"2026-W06.{fmt}"
        assert path.is_file()
        assert str(path) in printed
    assert printed[0].startswith("report 2026-W06: ")


def test_the_weekly_report_carries_its_own_generation_time(week):
    data = weekly(week)
    newest_day = max(
        datetime.fromisoformat(json.loads((week.reports / f"{d}.json").read_text())["generated_at"]) for d in DAYS
    )
    generated = datetime.fromisoformat(data["generated_at"])
    # Built after its newest day (by the `report --week` step, which ran last), not stamped with that day's time.
    assert generated > newest_day.replace(microsecond=0)
    shown = generated.strftime("%Y-%m-%d %H:%M:%S")
    for fmt in ("txt", "md", "html"):
        assert f"生成时间: {shown}" in (week.reports / f"2026-W06.{fmt}").read_text(encoding="utf-8").replace(
            f'<time class="generated" datetime="{data["generated_at"]}">{shown}</time>', shown
        )


def test_week_covers_its_stored_days(week):
    data = weekly(week)
    assert (data["week"], data["start"], data["end"]) == ("2026-W06", "2026-02-02", "2026-02-08")
    assert data["days"] == list(DAYS)
    daily = [json.loads((week.reports / f"{d}.json").read_text(encoding="utf-8")) for d in DAYS]
    assert data["raw_count"] == sum(d["raw_count"] for d in daily)


def test_an_event_of_several_days_appears_once_with_its_first_day_and_days_ran(week):
    data = weekly(week)
    entries = data["domestic"] + data["international"]
    urls = [e["url"] for e in entries]
    nvidia = [e for e in entries if {e["url"], *(o["url"] for o in e["also_reported_by"])} & {NVIDIA_DAY1_URL}]
    assert len(nvidia) == 1
    event = nvidia[0]
    # The entry is the story as it stands (its latest appearance), dated from its first.
    assert event["url"] == NVIDIA_DAY3_URL
    assert event["title"].startswith("Nvidia Completes $20 Billion OpenAI Investment")
    assert (event["first_date"], event["last_date"], event["days_ran"]) == ("2026-02-04", "2026-02-06", 3)
    assert event["dates"] == list(DAYS)
    assert NVIDIA_DAY2_URL in {o["url"] for o in event["also_reported_by"]}
    assert NVIDIA_DAY2_URL not in urls and NVIDIA_DAY1_URL not in urls
    # The repeat without new facts was dropped on its day, so the week has the event once, for one day.
    cambricon = [e for e in entries if "寒武纪" in e["title"]]
    assert len(cambricon) == 1 and cambricon[0]["days_ran"] == 1
    assert CAMBRICON_REPEAT_URL not in urls
    assert len(urls) == len(set(urls))
    for region in ("domestic", "international"):
        assert [e["rank"] for e in data[region]] == list(range(1, len(data[region]) + 1))
        assert all(e["region"] == region for e in data[region])


def test_counts_by_region_and_category_cover_every_event(week):
    data = weekly(week)
    counts = data["counts"]
    assert counts["region"]["domestic"] + counts["region"]["international"] == counts["events"]
    assert sum(counts["category"].values()) == counts["events"]
    assert counts["multi_day"] >= 1
    daily_entries = sum(
        len(d["domestic"]) + len(d["international"])
        for d in (json.loads((week.reports / f"{day}.json").read_text(encoding="utf-8")) for day in DAYS)
    )
    # Nvidia ran three days: two of its daily entries fold into the first.
    assert counts["events"] <= daily_entries - 2


def test_summary_is_composed_offline_in_chinese(week):
    data = weekly(week)
    assert data["stats"]["summary"] == "heuristic"
    summary = data["summary"]
    assert summary.startswith("本周（2月2日至2月8日）共3期日报")
    assert f"精选出{data['counts']['events']}个事件" in summary
    assert "重点关注：" in summary
    txt = (week.reports / "2026-W06.txt").read_text(encoding="utf-8")
    assert "📊 本周总结: " + summary in txt
    assert "🗓️ 首次报道: 2月4日 · 持续 3 天" in txt


def test_week_html_escapes_content_and_keeps_a_strict_csp(week):
    html = (week.reports / "2026-W06.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "script-src 'none'" in html.replace("&#39;", "'")
    if "bold" in html:
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html


def test_week_rejects_a_malformed_week(week, mongo_uri):
    from tests.publish.conftest import scrapy_in

    proc = scrapy_in("t_unused", mongo_uri, "report", "--week", "2026-06")
    assert proc.returncode != 0
    assert "YYYY-Www" in proc.stderr
