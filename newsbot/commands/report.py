"""scrapy report: re-render a stored day from MongoDB, without crawling; `--week` writes the weekly report.
With the LLM analyzer, the day's articles that only have the offline judgement are asked about first
(newsbot.analysis.catch_up)."""

from __future__ import annotations

import asyncio
import sys
from datetime import date

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from newsbot.analysis.catch_up import improve_window
from newsbot.commands import (
    add_day_options,
    apply_day_options,
    check_start_up,
    draft_failed,
    print_published,
    print_skipped,
    push_or_fail,
    report_failed,
    use_sources,
)
from newsbot.report.daily import PublishedReport, articles_stored, drop_stored_day, publish_day, push_unavailable
from newsbot.text.window import report_window


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self):
        return (
            "[--date YYYY-MM-DD [--allow-empty] [--approve] | --week YYYY-Www] [--output-dir DIR] [--push]"
            " | --drop YYYY-MM-DD"
        )

    def short_desc(self):
        return "Render a day's report (txt, md, html, json) from what MongoDB holds; no crawling"

    def add_options(self, parser):
        super().add_options(parser)
        add_day_options(parser, "report day (in NEWSBOT_TIMEZONE); default: live window")
        parser.add_argument("--week", metavar="YYYY-Www", help="the weekly report of this ISO week, from stored days")
        parser.add_argument("--push", action="store_true", help="push the report to every configured channel")
        parser.add_argument(
            "--allow-empty", action="store_true", help="with --date: render the day even if no article is stored for it"
        )
        parser.add_argument(
            "--approve",
            action="store_true",
            help="with --date: approve the day (render it with its edits, push it, mark it for the site)",
        )
        parser.add_argument(
            "--drop", metavar="YYYY-MM-DD", help="remove this stored day (the next publish removes its page)"
        )

    def process_options(self, args, opts):
        super().process_options(args, opts)
        if opts.week and opts.date:
            raise UsageError("--date and --week exclude each other")
        if opts.approve and not opts.date:
            raise UsageError("--approve needs --date")
        if opts.drop and (opts.week or opts.date or opts.push):
            raise UsageError("--drop takes no --date, --week or --push")
        if opts.drop:
            try:
                date.fromisoformat(opts.drop)
            except ValueError as exc:
                raise UsageError(f"--drop must be YYYY-MM-DD, not {opts.drop!r}") from exc
        apply_day_options(self.settings, opts)
        check_start_up(self.settings)
        if opts.week:
            from newsbot.archive.weekly import parse_week

            try:
                parse_week(opts.week)
            except ValueError as exc:
                print(f"newsbot: error: --week: {exc}", file=sys.stderr)
                raise SystemExit(1) from None
        use_sources(self.settings)

    def run(self, args, opts):
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}")
        if opts.push and (problem := push_unavailable(self.settings)):
            print(f"newsbot: error: --push: {problem}", file=sys.stderr)
            self.exitcode = 1
            return
        configure_logging(self.settings)
        if opts.drop:
            self.exitcode = drop_day(self.settings, opts.drop)
            return
        if opts.week:
            self.exitcode = self.run_week(opts.week, opts.push)
            return
        try:
            if opts.date and not opts.allow_empty and not articles_stored(self.settings):
                # Rendering it would archive an empty issue of a day nothing was crawled for.
                print(
                    f"newsbot: error: no articles are stored for {opts.date}; nothing to report "
                    "(crawl the day first, or add --allow-empty to render it empty)",
                    file=sys.stderr,
                )
                self.exitcode = 1
                return
            asyncio.run(improve_window(self.settings, report_window(self.settings)))
            if opts.approve:
                from newsbot.report.review import approve_day

                line, ok = approve_day(self.settings, "report --approve")
                if ok:
                    print(line)
                else:
                    print(f"newsbot: error: {line}", file=sys.stderr)
                self.exitcode = 0 if ok else 1
                return
            published = publish_day(self.settings)
        except Exception as exc:
            report_failed(exc)
            self.exitcode = 1
            return
        print_published(published)
        self.exitcode = self.after_render(published, opts)

    def after_render(self, published: PublishedReport, opts) -> int:
        """Once the files are on disk: `--push` re-sends them. A push that did not reach every channel
        exits 1 with one line; the files stay written (cron retries by running the command again).
        A draft (the LLM went down during the render) exits 1 too, pushed or not."""
        if opts.push:
            return push_or_fail(self.settings, published)
        return draft_failed(str(published.report.date)) if published.draft else 0

    def run_week(self, week: str, push: bool) -> int:
        from newsbot.archive.weekly import push_week, write_week

        try:
            report, paths = write_week(self.settings, week)
        except Exception as exc:
            report_failed(exc)
            return 1
        counts = report.counts
        print(
            f"report {report.week}: {len(report.domestic)} domestic + {len(report.international)} international "
            f"of {counts['events']} events from {len(report.days)} days ({counts['multi_day']} ran several days)"
        )
        for path in paths:
            print(path)
        print_skipped()
        if push and not push_week(self.settings, report, paths):
            # Like a day's report: the files are written, but a push that did not reach every channel fails.
            print(
                f"newsbot: error: the weekly report {report.week} was not delivered to every channel", file=sys.stderr
            )
            return 1
        return 0


def drop_day(settings, day: str) -> int:
    """`--drop D`: remove D's stored report and the files it wrote; exit 1 when nothing is stored for D."""
    try:
        removed = drop_stored_day(settings, day)
    except Exception as exc:
        report_failed(exc, "day not dropped")
        return 1
    if removed is None:
        print(f"newsbot: error: no report is stored for {day}; nothing to drop", file=sys.stderr)
        return 1
    print(f"dropped {day}: its stored report and {len(removed)} file(s); `scrapy publish` removes its page")
    for path in removed:
        print(f"removed {path}")
    return 0
