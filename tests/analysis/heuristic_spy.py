"""A test extension that writes down the article of every offline heuristic judgement a crawl ran,
so a test can tell how many times one article was judged in a real `scrapy crawl` or `scrapy digest`.

It wraps HeuristicAnalyzer.analyze in the crawl's own process: run it with NEWSBOT_WORKER_PROCESSES=0,
or the judgements made in worker processes go unseen."""

from __future__ import annotations

import json

from scrapy import signals

from newsbot.analysis.heuristic import HeuristicAnalyzer

# Every crawler of a digest has its own extension; the judgements are the process's.
JUDGED: list[str] = []


def _spied(analyze):
    def analyze_and_note(self, art):
        JUDGED.append(art.url)
        return analyze(self, art)

    analyze_and_note.spied = True
    return analyze_and_note


class HeuristicSpy:
    def __init__(self, crawler):
        self.path = crawler.settings.get("TESTS_HEURISTIC_LOG")
        if not getattr(HeuristicAnalyzer.analyze, "spied", False):
            HeuristicAnalyzer.analyze = _spied(HeuristicAnalyzer.analyze)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        # After the pipelines' close_spider: every follow-up of the crawler has finished by then.
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def closed(self, spider, reason):
        with open(self.path, "w", encoding="utf-8") as out:
            json.dump(JUDGED, out)
