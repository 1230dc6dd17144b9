"""An article two sources both list reaches the LLM follow-up of each source's crawler; the model is
asked about it once (newsbot.pipelines.follow_up, the process's `asking` set while the first asks, and
its `answers` once the first has its answer: the second crawler's store may have put its offline
judgement, of its own copy of the text, over that answer)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from newsbot.analysis.analyzer_support import Counters, Outcome
from newsbot.pipelines.follow_up import ASKED_ALREADY, FollowUpPipeline
from newsbot.runtime.resources import ProcessResources, share_resources
from tests.analysis.conftest import ARTICLES, article_doc
from tests.analysis.test_analysis_llm import insert


class SlowAnalyzer:
    def __init__(self):
        self.asked: list[tuple[str, dict | None]] = []
        self.release = asyncio.Event()

    async def analyze_url(self, url: str, known: dict | None = None) -> Outcome:
        self.asked.append((url, known))
        await self.release.wait()
        return Outcome({"analyzer": "llm", "asked_by": id(self)}, "llm")


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
        assert first.asked == [(url, None)] and second.asked == []
        assert b.stats.get_value(ASKED_ALREADY) == 1
        second.release.set()
        await b._ask(url)  # answered by now: the analyzer is handed the answer to restore, not to re-ask
        assert second.asked == [(url, {"analyzer": "llm", "asked_by": id(first)})]

    asyncio.run(scenario())


def test_an_answer_the_process_already_has_is_written_back_without_a_call(fake, run_service, mongo_db):
    """The real analyzer against the fake model: the article is asked once; after another write put an
    offline judgement of a different copy of its text over the answer, the known answer goes back."""
    title, text = ARTICLES[0]
    [url] = insert(mongo_db, [article_doc(0, title, text)])

    async def body(service):
        first = await service.analyze_url(url)
        # Another feed's copy of the article, stored with its offline judgement, over the answer.
        mongo_db.articles.update_one({"url": url}, {"$set": {"content": text + "（另一来源的版本）"}})
        offline = (await service.offline_judgement(mongo_db.articles.find_one({"url": url}))).record
        mongo_db.articles.update_one({"url": url}, {"$set": {"analysis": offline}})
        again = await service.analyze_url(url, known=first.record)
        return first, again

    counters = Counters()
    first, again = run_service(body, counters=counters, NEWSBOT_ANALYZER="llm")
    assert first.status == "llm" and fake.requests == 1
    assert again.status == "restored" and again.record == first.record and fake.requests == 1
    assert mongo_db.articles.find_one({"url": url})["analysis"]["analyzer"] == "llm"
