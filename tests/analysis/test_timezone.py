"""NEWSBOT_TIMEZONE is the report's time zone everywhere a date is written or read: the summary's
"M月D日消息" prefix, the publication time the prompt gives the model, and evalprompts' report days."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.settings import Settings

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.evaluate import row_day, summary_checks
from newsbot.config import config_for

# 20:30 UTC on Feb 3 is 04:30 on Feb 4 in Asia/Shanghai (the default): the two zones disagree on the day.
EVENING_UTC = datetime(2026, 2, 3, 20, 30, tzinfo=UTC)


def article() -> ArticleInput:
    return ArticleInput.from_doc(
        {
            "url": "https://36kr.com/p/9100001",
            "source": "36kr",
            "source_name": "36氪",
            "title": "智谱发布新一代大模型GLM-5",
            "published_at": EVENING_UTC,
            "lang": "zh",
            "content": "智谱今日发布新一代大模型GLM-5，在多项基准测试中表现领先，并宣布开放API。",
        }
    )


def test_the_offline_summary_is_dated_in_the_report_time_zone(run_service):
    async def summary(service):
        return (await service.analyze_article(article())).record["summary_zh"]

    assert run_service(summary, NEWSBOT_ANALYZER="heuristic", NEWSBOT_TIMEZONE="UTC").startswith("2月3日消息，")
    assert run_service(summary, NEWSBOT_ANALYZER="heuristic").startswith("2月4日消息，")


def test_the_prompt_and_the_llm_summary_follow_the_report_time_zone(run_service, fake):
    async def prompt_and_summary(service):
        user = service.messages_for(article())[-1]
        text = user.content if hasattr(user, "content") else user["content"]
        return text, (await service.analyze_article(article())).record

    text, record = run_service(prompt_and_summary, NEWSBOT_ANALYZER="llm", NEWSBOT_TIMEZONE="UTC")
    assert record["analyzer"] == "llm"
    assert "2026-02-03 20:30" in text and "2026-02-04 04:30" not in text
    assert record["summary_zh"].startswith("2月3日消息，")
    text, record = run_service(prompt_and_summary, NEWSBOT_ANALYZER="llm")
    assert "2026-02-04 04:30" in text and record["summary_zh"].startswith("2月4日消息，")


def test_evaluation_days_and_date_checks_follow_the_report_time_zone():
    utc = config_for(Settings({"NEWSBOT_TIMEZONE": "UTC"})).report
    shanghai = config_for(Settings()).report
    row = {"published_at": EVENING_UTC.isoformat()}
    # Past the 09:00 cut-off in UTC: the next day's report. Before it in Shanghai (04:30): that day's.
    assert row_day(row, utc) == "2026-02-04"
    assert row_day({"published_at": "2026-02-03T08:00:00+00:00"}, utc) == "2026-02-03"
    assert row_day({"published_at": "2026-02-03T08:00:00+00:00"}, shanghai) == "2026-02-04"
    record = {"summary_zh": "2月3日消息，智谱发布新一代大模型GLM-5。"}
    assert summary_checks(record, article(), utc)["date_prefix"]
    assert not summary_checks(record, article(), shanghai)["date_prefix"]
