"""Project commands: crawl (exit status), digest, report, evalprompts, schedule, sources."""

from __future__ import annotations

from datetime import date

from scrapy.exceptions import UsageError


def add_day_options(parser, date_help: str) -> None:
    """--date and --output-dir, shared by every command that writes a day's report."""
    parser.add_argument("--date", metavar="YYYY-MM-DD", help=date_help)
    parser.add_argument("--output-dir", metavar="DIR", help="where reports are written")


def apply_day_options(settings, opts) -> None:
    if opts.date:
        try:
            date.fromisoformat(opts.date)
        except ValueError as exc:
            raise UsageError(f"--date must be YYYY-MM-DD, not {opts.date!r}") from exc
        settings.set("NEWSBOT_DATE", opts.date, priority="cmdline")
    if opts.output_dir:
        settings.set("NEWSBOT_OUTPUT_DIR", opts.output_dir, priority="cmdline")
