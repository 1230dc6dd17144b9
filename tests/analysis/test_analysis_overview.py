"""今日总结: the LLM-written highlight, fact-checked against the entries and cached in MongoDB."""

from __future__ import annotations

import asyncio

from pymongo import AsyncMongoClient

from newsbot.analysis.overview_writer import compose_overview, compose_overview_sync
from tests.analysis.conftest import settings

ENTRIES = [
    {
        "title": "广东：支持培育垂直领域“人工智能+工业软件”与智能机器人服务商",
        "summary": "2月4日消息，广东省政府发布实施意见，支持培育人工智能服务商。",
        "source_name": "36氪",
        "region": "domestic",
        "importance": "high",
    },
    {
        "title": "英伟达拟向OpenAI投资200亿美元",
        "summary": "2月4日消息，英伟达接近达成协议，将向OpenAI投资200亿美元。",
        "source_name": "Bloomberg Technology",
        "region": "international",
        "importance": "high",
    },
    {
        "title": "昆山一家精工公司完成2500万元融资",
        "summary": "2月4日消息，昆山一家精工公司完成2500万元Pre-A轮融资。",
        "source_name": "量子位",
        "region": "domestic",
        "importance": "low",
    },
]
COUNTS = "今日从172条原始信息中精选出2条国内动态和1条国际动态，其中2条为高重要性。"


def test_llm_overview_is_checked_and_cached(fake, mongo_uri, db_name, mongo_db):
    async def twice():
        client = AsyncMongoClient(mongo_uri, tz_aware=True)
        try:
            first = await compose_overview(ENTRIES, raw_count=172, settings=settings(), db=client[db_name])
            second = await compose_overview(ENTRIES, raw_count=172, settings=settings(), db=client[db_name])
        finally:
            await client.close()
        return first, second

    first, second = asyncio.run(twice())
    assert first.analyzer == "llm" and not first.cached
    assert first.text.startswith(COUNTS + " 重点关注：")
    assert "英伟达拟向OpenAI投资200亿美元" in first.text
    assert fake.requests == 1
    # Re-rendering the report is free: the same entries hit the cache.
    assert second.cached and second.text == first.text and fake.requests == 1
    assert mongo_db.llm_cache.count_documents({"task": "overview"}) == 1

    assert first.usage["prompt_tokens"] > 0 and second.usage["prompt_tokens"] == 0

    # A report renderer outside the event loop uses the blocking database and the same cache.
    third = compose_overview_sync(ENTRIES, raw_count=172, settings=settings(), db=mongo_db)
    assert third.cached and fake.requests == 1

    # ...and so does one called from inside a running loop (a spider_closed handler).
    async def inside_loop():
        return compose_overview_sync(ENTRIES, raw_count=171, settings=settings(), db=mongo_db)

    fourth = asyncio.run(inside_loop())
    assert fourth.analyzer == "llm" and not fourth.cached and fake.requests == 2


def test_hallucinated_names_and_numbers_fall_back(fake):
    fake.mode = "hallucinate"  # adds "谷歌宣布投资999亿美元"
    result = asyncio.run(compose_overview(ENTRIES, raw_count=172, settings=settings()))
    assert fake.requests == 2  # asked, then re-asked once
    assert result.analyzer == "heuristic-fallback"
    assert any("谷歌" in e for e in result.errors) and any("999" in e for e in result.errors)
    assert result.text == (
        COUNTS + " 重点关注：广东：支持培育垂直领域“人工智能+工业软件”与智能机器人服务商；"
        "英伟达拟向OpenAI投资200亿美元；昆山一家精工公司完成2500万元融资。"
    )


def test_offline_overview_needs_no_model(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = compose_overview_sync(ENTRIES, raw_count=172, settings=settings(NEWSBOT_ANALYZER="heuristic"))
    assert result.analyzer == "heuristic"
    assert result.text.startswith(COUNTS + " 重点关注：广东：")


def test_weekly_summary_is_written_by_the_model_through_the_weekly_prompts(fake, mongo_db):
    from newsbot.archive.weekly import week_summary

    counts = "本周（2026-02-02至2026-02-08）3天共从500条原始信息中精选出3个事件。"
    events = [{**e, "first_day": "2026-02-04", "days_ran": 1} for e in ENTRIES]
    text, how = week_summary(settings(), mongo_db, events, raw_count=500, counts_text=counts)
    assert how == "llm" and fake.requests == 1
    assert text.startswith(counts + " 重点关注：")
    assert "英伟达拟向OpenAI投资200亿美元" in text
    # The weekly prompt pair, not the daily one, and cached apart from a day's overview.
    system = next(m["content"] for m in fake.bodies[-1]["messages"] if m["role"] == "system")
    assert "《AI每周动态》周报" in system
    assert mongo_db.llm_cache.count_documents({"task": "weekly"}) == 1
    again, _ = week_summary(settings(), mongo_db, events, raw_count=500, counts_text=counts)
    assert again == text and fake.requests == 1

    fake.mode = "hallucinate"
    fallback, how = week_summary(settings(), mongo_db, events, raw_count=501, counts_text=counts)
    assert how == "heuristic-fallback"
    assert fallback.startswith(counts) and "谷歌" not in fallback and "999" not in fallback
