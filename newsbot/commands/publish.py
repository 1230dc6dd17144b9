"""scrapy publish: build (or bring up to date) the static archive site from the stored reports."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from newsbot.commands import check_start_up
from newsbot.config import config_for


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self):
        return "[--output-dir DIR] [--site-url URL]"

    def short_desc(self):
        return "Publish the stored reports as a static site: day pages, weekly reports, Atom feed, search"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--output-dir", metavar="DIR", help="the site's folder (default: NEWSBOT_SITE_DIR)")
        parser.add_argument(
            "--site-url", metavar="URL", help="where the folder is served (NEWSBOT_SITE_URL); needed for feed.xml"
        )

    def process_options(self, args, opts):
        super().process_options(args, opts)
        if opts.output_dir:
            self.settings.set("NEWSBOT_SITE_DIR", opts.output_dir, priority="cmdline")
        if opts.site_url:
            self.settings.set("NEWSBOT_SITE_URL", opts.site_url, priority="cmdline")
        check_start_up(self.settings)

    def run(self, args, opts):
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}")
        configure_logging(self.settings)
        from newsbot.archive.site import describe, publish
        from newsbot.commands import print_skipped, report_failed
        from newsbot.storage.connection import sync_db

        try:
            client, db = sync_db(self.settings)
            try:
                result = publish(self.settings, db, config_for(self.settings).publish.site_dir)
            finally:
                client.close()
        except Exception as exc:
            report_failed(exc, "site not published")
            self.exitcode = 1
            return
        print("\n".join(describe(result)))
        sys.stdout.flush()
        if not result.feed:
            # The site is complete without it; a feed of relative links would not work in a reader.
            what = (
                "not written, and the stale one an earlier publish wrote removed"
                if result.feed_removed
                else "not written"
            )
            print(
                f"newsbot: feed.xml {what}: no site URL (give --site-url URL or set NEWSBOT_SITE_URL)",
                file=sys.stderr,
            )
        print_skipped()
