"""Project commands: crawl (exit status), digest, report, evalprompts, schedule, sources."""

from __future__ import annotations

import logging
import sys
from datetime import date

from scrapy.exceptions import UsageError

from newsbot.config import config_for, exit_on_bad_settings
from newsbot.runtime.gc_policy import tune_collector
from newsbot.runtime.logformatter import one_line_errors

logger = logging.getLogger(__name__)

# Libraries that log each database command or extraction step at DEBUG. Scrapy filters by LOG_LEVEL in
# its handler, so below that level nothing prints them, yet Python still builds every record: tens of
# thousands in a digest of hundreds of feeds. Their loggers get the configured level instead.
CHATTY_LIBRARIES = ("pymongo", "trafilatura", "htmldate", "charset_normalizer", "jieba")


def check_start_up(settings) -> None:
    """Every newsbot command calls this once its options are applied: one line and exit 1 on a bad setting."""
    level = exit_on_bad_settings(settings).crawl.log_level
    tune_collector()
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(level)
    one_line_errors()


def use_sources(settings) -> None:
    """Load the settings' sources (NEWSBOT_SOURCES_FILE) for this command; a bad file exits 1."""
    from newsbot.spiders.loader import configure_or_exit

    configure_or_exit(settings)


def check_parsers(settings, names) -> None:
    """At crawl start: the parser of every source about to be crawled exists and can be called as
    parser(html, url); else one line on stderr and exit 1, before any request."""
    from newsbot.parsers.registry import ParserNotFound, load_parser
    from newsbot.sources.catalog import SOURCES

    packages = list(config_for(settings).crawl.parser_packages)
    for name in names:
        source = SOURCES.get(name)
        if source is None:
            continue  # not a source: Scrapy's own message says so
        try:
            load_parser(source.parser, packages)
        except ParserNotFound as exc:
            print(f"newsbot: error: source {name!r}: {exc}", file=sys.stderr)
            raise SystemExit(1) from None


def split_names(option: str | None) -> list[str]:
    return [n.strip() for n in (option or "").split(",") if n.strip()]


def narrow_sources(settings, option: str | None) -> None:
    """`--sources a,b` is NEWSBOT_SOURCES=a,b: the run expects only those sources, so the report does not
    call the others missing, and a disabled or unknown name is one line and exit 1 (the settings check)."""
    if names := split_names(option):
        settings.set("NEWSBOT_SOURCES", ",".join(names), priority="cmdline")


def pick_sources(settings, option: str | None) -> list[str]:
    """The --sources a,b names (default: every enabled source); a name that is not an enabled source is
    one line on stderr and exit 1."""
    from newsbot.sources.catalog import SOURCES

    names = split_names(option) or list(SOURCES)
    exit_unless_enabled(settings, names)
    return names


def exit_unless_enabled(settings, names) -> None:
    """One line (saying which names are disabled and which unknown) and exit 1 unless every name is
    an enabled source."""
    from newsbot.sources.catalog import SOURCES, disabled_sources, load_sources, names_problem

    if all(n in SOURCES for n in names):
        return
    crawl = config_for(settings).crawl
    packages = list(crawl.parser_packages)
    enabled = load_sources(crawl.sources_file, packages=packages)
    left_out = [n for n in names if n in enabled and n not in SOURCES]
    problem = names_problem(names, enabled, set(enabled) | disabled_sources(crawl.sources_file, packages))
    if left_out:
        problem = "; ".join(filter(None, [f"source(s) {', '.join(left_out)} not in NEWSBOT_SOURCES", problem]))
    print(f"newsbot: error: {problem}", file=sys.stderr)
    raise SystemExit(1)


def config_day(settings) -> str:
    """The report day this command's run is for: NEWSBOT_DATE, or today in NEWSBOT_TIMEZONE."""
    from newsbot.text.window import report_window

    return report_window(settings).day.isoformat()


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


# --- publishing the day's report from a command ------------------------------------------------------


def report_failed(exc: BaseException, what: str = "report not rendered") -> None:
    """Log why the report (or `what` else) was not produced, and say so on stderr in one line."""
    from newsbot.storage.errors import StoreError, StoreUnavailable, short_error

    if isinstance(exc, StoreError):
        # The database went away mid-command (AutoReconnect): its first clause, not pymongo's topology dump.
        exc = StoreUnavailable(f"the database failed: {short_error(exc)}")
    if isinstance(exc, StoreUnavailable | ValueError | OSError):
        logger.error("%s: %s", what.capitalize(), exc)
    else:
        logger.exception(what.capitalize())
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    print(f"newsbot: {what}: {reason}", file=sys.stderr)


def print_skipped() -> None:
    """How many stored documents this command skipped for failing their schema (each was a WARNING)."""
    from newsbot.storage.report_schema import skipped_documents

    skipped = skipped_documents()
    if skipped:
        names = ", ".join(f"{collection} {doc_id}" for collection, doc_id in skipped)
        print(f"skipped {len(skipped)} stored document(s) that fail their schema: {names}")
        sys.stdout.flush()


def print_published(published) -> None:
    """The report's counts, its footer line about sources, and the paths written."""
    from newsbot.report.render import missing_line

    r = published.report
    line = missing_line(r.stats.get("missing_sources") or [], r.stats.get("broken_sources") or [])
    print(
        f"report {r.date}: {len(r.domestic)} domestic + {len(r.international)} international "
        f"from {r.raw_count} articles ({r.stats['duplicates_merged']} duplicates merged)"
        + (f", {published.fallbacks} LLM fallbacks" if published.fallbacks else "")
        + (
            " (stored as a draft: the LLM went down; NEWSBOT_LLM_FALLBACK_OK=True publishes such a day)"
            if published.draft
            else ""
        )
    )
    if line:
        print(line)
    for path in published.paths:
        print(path)
    sys.stdout.flush()
    print_skipped()


def draft_failed(day: str) -> int:
    """A day stored as a draft is a failed run for whoever runs the command (cron, scrapyd): one line on
    stderr (the breaker's ERROR line in the log said why) and exit 1."""
    print(f"newsbot: error: the report of {day} is a draft (the LLM went down)", file=sys.stderr)
    sys.stderr.flush()
    return 1


def push_or_fail(settings, published) -> int:
    """Push the written report; the exit code. A report that did not reach every channel is one line
    on stderr and exit 1 (the files are written, and `scrapy report --push` re-sends them)."""
    from newsbot.report.daily import push_published, undelivered

    if published.draft:
        # Not pushed either: a draft is not an issue.
        return draft_failed(published.report.date)
    if problem := undelivered(push_published(settings, published), published.report.date):
        print(f"newsbot: error: {problem}", file=sys.stderr)
        return 1
    return 0
