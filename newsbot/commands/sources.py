"""scrapy sources: each source's last run, its new items per day over the last 7 days, and its health.

scrapy sources [--sources a,b] [--json] [--check]   the health table
scrapy sources import FILE.opml [--to FILE]          OPML outlines -> entries in the user's sources file
scrapy sources export [--output FILE]                OPML of every enabled source
scrapy sources check NAME|URL                        fetch a feed once and describe it
"""

from __future__ import annotations

import json
import sys
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsbot.commands import check_start_up, pick_sources, use_sources
from newsbot.config import config_for
from newsbot.runs.health import source_health
from newsbot.storage.connection import sync_db
from newsbot.storage.errors import StoreError, StoreUnavailable, short_error


def width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int, right: bool = False) -> str:
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill


def table(rows: list[list[str]], right: set[int]) -> str:
    sizes = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(pad(cell, sizes[i], i in right) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * s for s in sizes))
    return "\n".join(lines)


# The last run's figures the table shows, after its status.
FIGURES = ("items_seen", "new", "failed_pages", "blocked", "fetch_errors", "parse_errors", "errors", "entries_dropped")


def health_table(health: dict, tz: ZoneInfo) -> str:
    header = [
        "SOURCE",
        "NAME",
        "LAST RUN",
        "RUN",
        "SEEN",
        "NEW",
        "FAILED",
        "BLOCKED",
        "FETCH ERR",
        "PARSE ERR",
        "ERRORS",
        "DROPPED",
    ]
    header += ["NEW 7D", "PER DAY (OLDEST→TODAY)", "HEALTH"]
    rows = [header]
    for name, h in health.items():
        last = h["last_run"] or {}
        finished = last.get("finished_at")
        when = (
            finished.replace(tzinfo=finished.tzinfo or UTC).astimezone(tz).strftime("%m-%d %H:%M")
            if finished
            else "never"
        )
        status = h["status"] + (f": {h['reason']}" if h["reason"] else "")
        if h["overdue"]:
            status += f"; overdue: {h['overdue_reason']}"
        rows.append(
            [
                name,
                h["source_name"],
                when,
                str(last.get("status", "-")),
                # A run recorded before a figure existed shows "-" for it.
                *("-" if last.get(k) is None else str(last[k]) for k in FIGURES),
                str(h["new_7d"]),
                " ".join(str(n) for n in h["daily_new"]),
                status,
            ]
        )
    return table(rows, right=set(range(4, 5 + len(FIGURES))))


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class Command(ScrapyCommand):
    requires_project = True
    # `check` fetches through the real downloader; the other actions never start the process.
    requires_crawler_process = True

    def syntax(self):
        return (
            "[--sources a,b] [--json] [--check] | import FILE.opml [--to FILE] | export [--output FILE]"
            " | check NAME|URL"
        )

    def short_desc(self):
        return "Source health table; import/export OPML; check a feed before adding it"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--sources", metavar="a,b", help="comma-separated spider names (default: all)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit 1 when a source is broken or overdue (for monitoring)",
        )
        parser.add_argument(
            "--to", metavar="FILE", help="import: the sources file to append to (default: NEWSBOT_SOURCES_FILE)"
        )
        parser.add_argument("--output", metavar="FILE", help="export: write the OPML here (default: stdout)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        check_start_up(self.settings)
        use_sources(self.settings)

    def run(self, args, opts):
        from newsbot.commands import sourcetools

        action = args[0] if args else ""
        if action in sourcetools.ACTIONS:
            self.exitcode = sourcetools.ACTIONS[action](self, args[1:], opts)
            return
        if args:
            raise UsageError(f"unknown action {action!r}; expected import, export or check")
        self.exitcode = self.health(opts)

    def health(self, opts) -> int:
        names = pick_sources(self.settings, opts.sources)
        try:
            client, db = sync_db(self.settings)
            try:
                health = source_health(db, datetime.now(UTC), names, self.settings)
            finally:
                client.close()
        except (StoreUnavailable, StoreError, OSError) as exc:
            message = short_error(exc) if isinstance(exc, StoreError) else str(exc)
            print(f"newsbot: error: cannot read run history: {message}", file=sys.stderr)
            return 1
        if opts.json:
            print(json.dumps(health, ensure_ascii=False, indent=2, default=_jsonable))
        else:
            print(health_table(health, config_for(self.settings).report.timezone))
            broken = [h for h in health.values() if h["broken"]]
            if broken:
                print(f"\n{len(broken)} broken: " + ", ".join(f"{h['source']} ({h['reason']})" for h in broken))
            overdue = [h for h in health.values() if h["overdue"]]
            if overdue:
                hours = config_for(self.settings).health.expected_hours
                listed = ", ".join(f"{h['source']} ({h['overdue_reason']})" for h in overdue)
                print(f"{len(overdue)} overdue (no successful run in {hours:g}h): {listed}")
        # For a monitoring probe: a broken source, or one whose jobs have not succeeded when expected.
        bad = any(h["broken"] or h["overdue"] for h in health.values())
        return 1 if opts.check and bad else 0
