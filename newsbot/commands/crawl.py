"""scrapy crawl, with newsbot's exit status: non-zero when the database could not be reached, when no
feed of the source could be read, when a signal stopped the crawl (newsbot.commands.outcome), or when
its report on close was stored as a draft (the LLM went down)."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsbot.commands import check_parsers, check_start_up, config_day, draft_failed, exit_unless_enabled
from newsbot.commands.outcome import fail_day, interrupt_day, interrupted, no_good_feed
from newsbot.config import config_for
from newsbot.runs.stat_keys import REPORT_DRAFT, STORE_UNAVAILABLE, RunSummary
from newsbot.runtime.resources import share_resources


def store_failure(crawlers) -> str | None:
    """The one-line database error a crawler recorded, if any."""
    for crawler in crawlers:
        message = crawler.stats.get_value(STORE_UNAVAILABLE) if crawler.stats else None
        if message:
            return message
    return None


class Command(ScrapyCrawlCommand):
    def process_options(self, args, opts):
        super().process_options(args, opts)
        # `-a date=D` is the spider-argument spelling of NEWSBOT_DATE (scrapyd passes arguments that way too).
        if (opts.spargs or {}).get("date"):
            self.settings.set("NEWSBOT_DATE", opts.spargs["date"], priority="cmdline")
        check_start_up(self.settings)

    def _create_crawler(self, spidercls):
        # Keep a handle on the crawler: the process forgets it once it finishes.
        self.crawler = super()._create_crawler(spidercls)
        share_resources(self.crawler_process, self.crawler)
        return self.crawler

    def run(self, args, opts):
        if len(args) == 1:
            # A disabled or unknown name: one line, not Scrapy's KeyError traceback.
            exit_unless_enabled(self.settings, args)
        check_parsers(self.settings, args[:1])
        super().run(args, opts)
        crawler = getattr(self, "crawler", None)
        if crawler is None:
            return
        failure = store_failure([crawler])
        if failure:
            print(f"newsbot: error: {failure}", file=sys.stderr)
            self.exitcode = 1
            return
        day = config_day(self.settings)
        if interrupted([crawler]):
            self.exitcode = interrupt_day(day)
            return
        run = RunSummary.from_stats(crawler.spidercls.name, crawler.stats.get_stats())
        if no_good_feed({run.source: run}):
            # With one cron entry per source, a crawl pushes only when it is told to push on close.
            on_close = config_for(self.settings).delivery.on_close
            self.exitcode = fail_day(self.settings, day, {run.source: run}, push=on_close)
        elif crawler.stats.get_value(REPORT_DRAFT):
            # As `scrapy digest` does: the report on close is written and stored, but not as the day's issue.
            self.exitcode = draft_failed(day)
