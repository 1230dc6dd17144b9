"""scrapy digest: every source (or --sources) in one process, then one report for the day."""

from __future__ import annotations

import logging
import sys

from scrapy.commands import ScrapyCommand

from newsbot.commands import (
    add_day_options,
    apply_day_options,
    check_parsers,
    check_start_up,
    config_day,
    narrow_sources,
    pick_sources,
    print_published,
    push_or_fail,
    report_failed,
    use_sources,
)
from newsbot.commands.crawl import store_failure
from newsbot.commands.outcome import fail_day, interrupt_day, interrupted, no_good_feed
from newsbot.config import config_for, quiet_console
from newsbot.runs.stat_keys import RunSummary
from newsbot.runtime.resources import share_resources
from newsbot.runtime.scrapy_internals import quick_copies
from newsbot.storage.connection import embedded_server_running

logger = logging.getLogger(__name__)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = True
    store_error: str | None = None
    interrupted = False

    def syntax(self):
        return "[--snapshot DIR] [--date YYYY-MM-DD] [--output-dir DIR] [--sources a,b]"

    def short_desc(self):
        return "Crawl all (or the named) sources in one process, then render the day's report"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--snapshot", metavar="DIR", help="replay this snapshot folder instead of the network")
        add_day_options(parser, "report day (in NEWSBOT_TIMEZONE); default: live")
        parser.add_argument("--sources", metavar="a,b", help="comma-separated spider names (default: all)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        narrow_sources(self.settings, opts.sources)
        if opts.snapshot:
            self.settings.set("NEWSBOT_SNAPSHOT", opts.snapshot, priority="cmdline")
        apply_day_options(self.settings, opts)
        # One report after every source has finished, not one per spider.
        self.settings.set("NEWSBOT_REPORT_ON_CLOSE", False, priority="cmdline")
        quiet_console(self.settings)
        check_start_up(self.settings)
        use_sources(self.settings)
        quick_copies(self.settings)

    def run(self, args, opts):
        names = pick_sources(self.settings, opts.sources)
        check_parsers(self.settings, names)
        if not config_for(self.settings).crawl.contact:
            logger.warning(
                "NEWSBOT_CONTACT is not set: the sites crawled see no way to reach this crawler's operator. "
                "Set it to your URL or e-mail address (-s NEWSBOT_CONTACT=... or newsbot/settings.py)"
            )
        runs = self.crawl_sources(names, config_for(self.settings).crawl.concurrent_sources)
        if self.store_error:
            print(f"newsbot: error: {self.store_error}", file=sys.stderr)
            self.exitcode = 1
            return
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self.print_counts(runs)
        day = config_day(self.settings)
        if self.interrupted:
            self.exitcode = interrupt_day(day)
        elif no_good_feed(runs):
            self.exitcode = fail_day(self.settings, day, runs)
        else:
            self.exitcode = self.after_crawl(runs)
        # The daemon this run started (or shared) outlives it: say so once, and how to stop it.
        if line := embedded_server_running(self.settings):
            print(line, file=sys.stderr)

    def crawl_sources(self, names: list[str], at_once: int) -> dict[str, RunSummary]:
        """Crawl the sources, at most AT_ONCE at a time, each next one starting as one finishes; each
        crawler lives only while it runs. Each source is one site crawled politely (one request at a
        time), so running them all at once gains nothing, while hundreds of live crawlers (each with its
        engine, middlewares, stats and log handler) cost memory and slow every log call. Once one finds
        the database unreachable, no further source is started."""
        queue = iter(names)
        runs: dict[str, RunSummary] = {}

        def start_next() -> None:
            if self.store_error or self.interrupted:
                return
            name = next(queue, None)
            if name is None:
                return
            crawler = self.crawler_process.create_crawler(name)
            share_resources(self.crawler_process, crawler)
            when_done(self.crawler_process.crawl(crawler), lambda: finished(name, crawler))

        def finished(name: str, crawler) -> None:
            self.store_error = self.store_error or store_failure([crawler])
            # A signal stops the running crawlers; the sources not started yet stay so.
            self.interrupted = self.interrupted or interrupted([crawler])
            runs[name] = RunSummary.from_stats(name, crawler.stats.get_stats() if crawler.stats else {})
            start_next()

        for _ in range(max(1, at_once)):
            start_next()
        self.crawler_process.start()
        return {name: runs[name] for name in names if name in runs}

    def print_counts(self, runs: dict[str, RunSummary]) -> None:
        fields = ("status", "items_seen", "stored", "new", "failed_pages", "blocked", "fetch_errors", "parse_errors")
        fields += ("dropped",)
        print(f"{'source':<10} " + " ".join(f"{f:>12}" for f in fields))
        for name, run in runs.items():
            print(f"{name:<10} " + " ".join(f"{str(getattr(run, f)):>12}" for f in fields))
        sys.stdout.flush()

    def after_crawl(self, runs: dict[str, RunSummary]) -> int:
        """Once every spider has finished: publish the day's report, print its paths, then push.
        Returns the exit code: 1 when the report could not be written or did not reach every channel."""
        from newsbot.report.daily import publish_day

        if not config_for(self.settings).report.enabled:
            return 0
        try:
            published = publish_day(self.settings, runs=runs)
        except Exception as exc:
            report_failed(exc)
            return 1
        print_published(published)
        # The files are written whatever happens next; a report that reached no channel is still a failed run.
        return push_or_fail(self.settings, published)


def when_done(crawl, callback) -> None:
    """Call CALLBACK once CRAWL (a Deferred, or an asyncio Task under AsyncCrawlerProcess) has ended."""
    if hasattr(crawl, "addBoth"):

        def passthrough(result):
            callback()
            return result

        crawl.addBoth(passthrough)
    else:
        crawl.add_done_callback(lambda _task: callback())
