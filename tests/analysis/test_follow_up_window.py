"""The LLM is asked only about articles a report can still show, and a report of their day asks the rest.

A real `scrapy crawl` in LLM mode whose day is weeks after the articles were published: they are outside
the day's window and its memory window, so they keep the offline judgement and no call is made. Then
`scrapy report --date D` for the day they were published asks the LLM about exactly those articles (real
ChatOpenAI over HTTP against the local fake server), and a second report asks nothing.
"""

from __future__ import annotations

import json
import socket

from tests.analysis.conftest import ARTICLES, write_snapshot
from tests.analysis.test_analysis_crawl import stats_of

PUBLISHED_DAY = "2026-02-04"  # the conftest's articles are published on 2月4日 (Shanghai)


def test_crawl_asks_only_within_the_windows_and_report_asks_the_rest(scrapy_runner, mongo_db, fake, tmp_path):
    snapshot = write_snapshot(tmp_path / "snap", ARTICLES)
    env = {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url}
    common = {"NEWSBOT_SNAPSHOT": str(snapshot), "NEWSBOT_REPORT_ENABLED": "False", "NEWSBOT_MEMORY_DAYS": "7"}

    # Day 2026-03-01: its window and the 7 days before it end weeks after the articles.
    late = stats_of(scrapy_runner("crawl", "leiphone", env_extra=env, NEWSBOT_DATE="2026-03-01", **common))
    assert fake.requests == 0 and late["newsbot/llm/calls"] == 0
    assert late["newsbot/analysis/left_offline"] == len(ARTICLES)
    assert {d["analysis"]["analyzer"] for d in mongo_db.articles.find()} == {"heuristic"}

    # Offline, the report of their day asks nobody and changes no record.
    offline = scrapy_runner("report", "--date", PUBLISHED_DAY)
    assert offline.returncode == 0, offline.stderr[-3000:]
    assert fake.requests == 0
    assert {d["analysis"]["analyzer"] for d in mongo_db.articles.find()} == {"heuristic"}

    # With the LLM, the report of their day asks about each of them once, then renders their LLM records.
    report = scrapy_runner("report", "--date", PUBLISHED_DAY, env_extra=env)
    assert report.returncode == 0, report.stderr[-3000:]
    assert fake.requests == len(ARTICLES) + 1  # and one for the overview's highlights
    assert {d["analysis"]["analyzer"] for d in mongo_db.articles.find()} == {"llm"}
    payload = json.loads((tmp_path / "reports" / f"{PUBLISHED_DAY}.json").read_text(encoding="utf-8"))
    assert set(payload["stats"]["llm"]["by_analyzer"]) == {"llm"}

    # Nothing is left to ask, and the overview is cached: a second report makes no call.
    fake.reset()
    again = scrapy_runner("report", "--date", PUBLISHED_DAY, env_extra=env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert fake.requests == 0


def test_a_day_within_the_memory_window_is_asked_during_the_crawl(scrapy_runner, mongo_db, fake, tmp_path):
    """Published 3 days before the day's window, inside NEWSBOT_MEMORY_DAYS=7: asked while crawling."""
    snapshot = write_snapshot(tmp_path / "snap", ARTICLES)
    env = {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url}
    common = {"NEWSBOT_SNAPSHOT": str(snapshot), "NEWSBOT_REPORT_ENABLED": "False", "NEWSBOT_MEMORY_DAYS": "7"}
    stats = stats_of(scrapy_runner("crawl", "leiphone", env_extra=env, NEWSBOT_DATE="2026-02-07", **common))
    assert fake.requests == stats["newsbot/llm/calls"] == len(ARTICLES)
    assert "newsbot/analysis/left_offline" not in stats
    assert {d["analysis"]["analyzer"] for d in mongo_db.articles.find()} == {"llm"}


def test_reportable_spans_the_memory_days_before_the_window_and_the_window():
    from datetime import UTC, datetime, timedelta

    from scrapy.utils.test import get_crawler

    from newsbot.pipelines.follow_up import FollowUpPipeline

    def pipeline(**settings) -> FollowUpPipeline:
        return FollowUpPipeline(get_crawler(settings_dict={"NEWSBOT_MEMORY_DAYS": 3, **settings}))

    dated = pipeline(NEWSBOT_DATE="2026-02-04", NEWSBOT_REPORT_CUTOFF="09:00")
    cutoff = datetime(2026, 2, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    first = cutoff - timedelta(hours=24) - timedelta(days=3)
    assert dated.reportable(first) and dated.reportable(cutoff - timedelta(seconds=1))
    assert not dated.reportable(first - timedelta(seconds=1))
    assert not dated.reportable(cutoff)  # the next day's report asks about it
    assert dated.reportable(None)  # no date: it might be shown
    live = pipeline()
    assert live.reportable(datetime.now(UTC) + timedelta(hours=1))  # a live window ends when it is built
    assert not live.reportable(datetime.now(UTC) - timedelta(days=5))


def test_a_report_asks_again_about_what_a_crawl_left_to_the_fallback(scrapy_runner, mongo_db, fake, tmp_path):
    """The crawl found the endpoint down (scrapyd jobs, say) and stored fallbacks; the model is back when
    `scrapy report` renders the day (as `scrapy schedule` runs it): it asks again, and the day is no draft."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    snapshot = write_snapshot(tmp_path / "snap", ARTICLES)
    common = {"NEWSBOT_SNAPSHOT": str(snapshot), "NEWSBOT_REPORT_ENABLED": "False", "NEWSBOT_DATE": PUBLISHED_DAY}
    down = {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": f"http://127.0.0.1:{closed}/v1"}
    scrapy_runner("crawl", "leiphone", env_extra=down, **common)
    assert {d["analysis"]["analyzer"] for d in mongo_db.articles.find()} == {"heuristic-fallback"}

    env = {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url}
    report = scrapy_runner("report", "--date", PUBLISHED_DAY, env_extra=env)
    assert report.returncode == 0, report.stderr[-3000:]
    assert fake.requests == len(ARTICLES) + 1  # each article once, and the overview
    assert {d["analysis"]["analyzer"] for d in mongo_db.articles.find()} == {"llm"}
    assert mongo_db.reports.find_one({"date": PUBLISHED_DAY}).get("status") != "draft"
