"""Layouts: the text report against the seed (byte for byte) and a golden file; Markdown and JSON."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from newsbot.report.build import Report
from newsbot.report.daily import write_atomic
from newsbot.report.render import render_formats
from tests.report.seedparse import parse_seed, read_seed

HERE = Path(__file__).parent
SHANGHAI = ZoneInfo("Asia/Shanghai")


def report_from(data: dict) -> Report:
    return Report(
        date=data["date"],
        generated_at=datetime.fromisoformat(data["generated_at"]),
        raw_count=data["raw_count"],
        domestic=data["domestic"],
        international=data["international"],
        overview=data["overview"],
        stats=data["stats"],
    )


def stats(missing=()):
    return {
        "window": {"start": "2026-02-03T09:00:00+08:00", "cutoff": "2026-02-04T09:00:00+08:00", "live": False},
        "sources": {},
        "missing_sources": list(missing),
        "eligible": 0,
        "events": 0,
        "duplicates_merged": 0,
        "repeats_skipped": 0,
        "llm": {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "overview": "heuristic"},
        "fallbacks": 0,
    }


def test_text_reproduces_the_seed_byte_for_byte():
    seed = read_seed()
    parsed = parse_seed(seed)

    def entry(e, region):
        extra = {"title": "", "source": "", "region": region, "score": 0, "category": "", "published_at": None}
        return {**e, **extra, "also_reported_by": []}

    report = report_from(
        {
            "date": "2026-02-04",
            "generated_at": parsed["generated_at"],
            "raw_count": parsed["raw_count"],
            "domestic": [entry(e, "domestic") for e in parsed["domestic"]],
            "international": [entry(e, "international") for e in parsed["international"]],
            "overview": parsed["overview"],
            "stats": stats(),
        }
    )
    assert (len(report.domestic), len(report.international)) == (15, 13)
    # The seed has no final newline; ours ends its last line like any text file.
    assert render_formats(report, ["txt"])["txt"] == seed + "\n"


def test_text_matches_the_golden_file():
    data = json.loads((HERE / "fixtures" / "golden_report.json").read_text(encoding="utf-8"))
    rendered = render_formats(report_from(data), ["txt"])["txt"]
    golden = (HERE / "fixtures" / "golden_report.txt").read_text(encoding="utf-8")
    assert rendered == golden


def test_markdown_links_each_title_to_its_own_article_and_escapes_text():
    data = json.loads((HERE / "fixtures" / "golden_report.json").read_text(encoding="utf-8"))
    md = render_formats(report_from(data), ["md"])["md"]
    assert md.startswith("# AI每日动态 - 2026-02-04\n")
    for entry in data["domestic"] + data["international"]:
        assert f"({entry['url']})" in md
    assert "<script>" not in md and "\\<script\\>" in md
    assert "[Bloomberg Technology](https://www.bloomberg.com/news/articles/2026-02-03/nvidia-openai)" not in md
    assert "🔁 同时报道: [36氪](https://36kr.com/p/4?f=rss)" in md
    assert md.rstrip().endswith("⚠️ 本期缺失来源: Bloomberg Technology（被拦截）")


def test_json_is_exactly_the_documented_shape():
    data = json.loads((HERE / "fixtures" / "golden_report.json").read_text(encoding="utf-8"))
    out = json.loads(render_formats(report_from(data), ["json"])["json"])
    assert list(out) == ["date", "generated_at", "raw_count", "domestic", "international", "overview", "stats"]
    assert out["domestic"] == data["domestic"] and out["international"] == data["international"]
    assert out["generated_at"] == data["generated_at"]


def test_write_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "sub" / "r.txt"
    write_atomic(target, "one\n")
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n"
    assert os.listdir(target.parent) == ["r.txt"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"
