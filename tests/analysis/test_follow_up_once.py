"""An article two sources both list reaches the LLM follow-up of each source's crawler; the model is
asked about it once (newsbot.pipelines.follow_up, the process's `asking` set)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from newsbot.pipelines.follow_up import ASKED_ALREADY, FollowUpPipeline
from newsbot.runtime.resources import ProcessResources, share_resources


class SlowAnalyzer:
    def __init__(self):
        self.asked: list[str] = []
        self.release = asyncio.Event()

    async def analyze_url(self, url: str) -> None:
        self.asked.append(url)
        await self.release.wait()


def follow_up(process, analyzer) -> FollowUpPipeline:
    crawler = SimpleNamespace(stats=None, settings=Settings())
    crawler.stats = MemoryStatsCollector(crawler)
    share_resources(process, crawler)
    pipeline = object.__new__(FollowUpPipeline)  # its settings-driven setup is not what this checks
    pipeline.crawler, pipeline.stats, pipeline.analyzer, pipeline.size = crawler, crawler.stats, analyzer, 4
    return pipeline


def test_two_crawlers_ask_about_one_article_once_and_again_once_it_is_answered():
    async def scenario():
        process = SimpleNamespace()
        first, second = SlowAnalyzer(), SlowAnalyzer()
        a, b = follow_up(process, first), follow_up(process, second)
        assert isinstance(process._newsbot_resources, ProcessResources)  # one set of resources for both
        url = "https://example.com/story"
        task = asyncio.ensure_future(a._ask(url))
        await asyncio.sleep(0)
        await b._ask(url)  # while the first asks: not again
        first.release.set()
        await task
        assert first.asked == [url] and second.asked == []
        assert b.stats.get_value(ASKED_ALREADY) == 1
        second.release.set()
        await b._ask(url)  # answered and stored by now: asking again is the analyzer's call (cached)
        assert second.asked == [url]

    asyncio.run(scenario())
