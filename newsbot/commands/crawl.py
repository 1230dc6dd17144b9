"""scrapy crawl, with newsbot's exit status: non-zero when the database could not be reached."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsbot.commands import check_parsers, check_start_up
from newsbot.runs.stat_keys import STORE_UNAVAILABLE
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
        check_parsers(self.settings, args[:1])
        super().run(args, opts)
        failure = store_failure([self.crawler]) if getattr(self, "crawler", None) else None
        if failure:
            print(f"newsbot: error: {failure}", file=sys.stderr)
            self.exitcode = 1
