"""scrapy desk: the editorial desk, a local web page where an editor reviews and corrects a day's
draft before it goes out (newsbot.desk). Binds 127.0.0.1 unless told otherwise; any other address
needs NEWSBOT_DESK_TOKEN."""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from newsbot.commands import add_day_options, apply_day_options, check_start_up, use_sources


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self):
        return "[--date YYYY-MM-DD] [--port P] [--host H] [--editor NAME]"

    def short_desc(self):
        return "Serve the editorial desk: review, correct and approve a day's report in the browser"

    def add_options(self, parser):
        super().add_options(parser)
        add_day_options(parser, "report day to review (in NEWSBOT_TIMEZONE); default: today")
        parser.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument("--editor", default="editor", help="the editor's name when working locally")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        apply_day_options(self.settings, opts)
        check_start_up(self.settings)
        use_sources(self.settings)

    def run(self, args, opts):
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}")
        from newsbot.desk.guard import DeskRefused
        from newsbot.desk.serve import serve

        configure_logging(self.settings, install_root_handler=True)
        try:
            serve(self.settings, opts.host, opts.port, opts.editor)
        except DeskRefused as exc:
            print(f"newsbot: error: {exc}", file=sys.stderr)
            self.exitcode = 2
