"""Analysis test helpers: the local OpenAI-compatible server, settings, articles and a tiny snapshot."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from pymongo import AsyncMongoClient
from scrapy.settings import Settings

from newsbot.analysis.analyzer_support import AnalysisConfig, Counters
from newsbot.analysis.factory import make_analyzer
from tests.analysis.fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden.jsonl"
PUBLISHED = datetime(2026, 2, 3, 23, 30, tzinfo=UTC)  # 2月4日 07:30 in Shanghai

# Short Chinese news items in the sources' style; enough to tell analyses apart.
ARTICLES = [
    (
        "阿里巴巴开源新一代大模型Qwen4",
        "阿里巴巴今日宣布开源新一代大模型Qwen4，在多项基准测试中超过同类开源模型。该模型支持智能体任务。",
    ),
    (
        "英伟达向OpenAI投资200亿美元",
        "英伟达接近达成协议，将在OpenAI最新一轮融资中投资约200亿美元。这是英伟达最大的一笔单笔投资。",
    ),
    (
        "商汤科技发布AI云平台新版本",
        "商汤科技发布大装置SenseCore新版本，提升大规模算力纳管能力。该平台面向大模型训练与推理。",
    ),
    (
        "深圳一家机器人公司完成5000万元融资",
        "深圳某机器人科技有限公司完成5000万元A轮融资，资金将用于具身智能研发。公司成立于2021年。",
    ),
    ("美团外卖春节补贴上线", "美团宣布春节期间为外卖骑手发放额外补贴，覆盖全国多个城市。活动将持续两周。"),
    ("杭州举办AIGC开发者沙龙", "一场面向AIGC应用开发者的线下沙龙在杭州举行，百余名开发者围绕智能体开发进行了交流。"),
]


def settings(**overrides) -> Settings:
    s = Settings()
    s.setmodule("newsbot.settings", priority="project")
    # Tests should not wait a second before each retry.
    s.set("NEWSBOT_LLM_BACKOFF", 0.01, priority="cmdline")
    s.set("NEWSBOT_LLM_TIMEOUT", 5, priority="cmdline")
    for key, value in overrides.items():
        s.set(key, value, priority="cmdline")
    return s


def article_doc(i: int, title: str, text: str, **extra) -> dict:
    return {
        "url": f"https://36kr.com/p/{9000000 + i}",
        "original_url": f"https://36kr.com/p/{9000000 + i}?f=rss",
        "source": "36kr",
        "source_name": "36氪",
        "title": title,
        "published_at": PUBLISHED,
        "lang": "zh",
        "summary": "",
        "content": text,
        **extra,
    }


@pytest.fixture(scope="module")
def fake_server():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake(fake_server, monkeypatch):
    """The server, reset, with OPENAI_* pointing the real ChatOpenAI client at it."""
    fake_server.reset()
    fake_server.latency = 0.0
    fake_server.latency_per_article = 0.0
    fake_server.slow_seconds = 5.0
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-secret")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url)
    return fake_server


@pytest.fixture
def run_service(mongo_uri, db_name):
    """run(coro_fn, **settings): a fresh loop with the analyzer the settings choose, on this test's database."""

    def run(body, counters: Counters | None = None, reply_cache=None, **overrides):
        async def main():
            client = AsyncMongoClient(mongo_uri, tz_aware=True)
            config = AnalysisConfig.from_settings(settings(**overrides))
            service = make_analyzer(config, client[db_name], counters=counters or Counters(), reply_cache=reply_cache)
            try:
                return await body(service)
            finally:
                await service.aclose()
                await client.close()

        return asyncio.run(main())

    return run


def write_snapshot(folder: Path, items: list[tuple[str, str]]) -> Path:
    """A one-feed snapshot of 雷峰网 (full text in the feed, so no article pages are needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, (title, text) in enumerate(items):
        entries.append(
            "<item>"
            f"<title>{escape(title)}</title>"
            f"<link>https://www.leiphone.com/category/ai/T{i:04d}.html</link>"
            f"<guid>https://www.leiphone.com/category/ai/T{i:04d}.html</guid>"
            f"<pubDate>{format_datetime(PUBLISHED)}</pubDate>"
            f"<description>{escape('<p>' + text + '</p>')}</description>"
            "</item>"
        )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>雷峰网</title>'
        f"<link>https://www.leiphone.com</link><description>AI</description>{''.join(entries)}</channel></rss>"
    )
    (folder / "feed.xml").write_text(feed, encoding="utf-8")
    manifest = {
        "url": "https://www.leiphone.com/feed",
        "status": 200,
        "headers": {"Content-Type": "application/rss+xml; charset=utf-8"},
        "body": "feed.xml",
    }
    (folder / "manifest.jsonl").write_text(json.dumps(manifest) + "\n", encoding="utf-8")
    return folder
