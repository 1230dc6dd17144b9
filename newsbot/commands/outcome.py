"""How a crawl or digest ended, said plainly, and its exit code.

- A run where no source read a feed (every one failed or was blocked) failed: it writes no report of
  its day and stores none, so an earlier good report of that day stays; exit 1.
- A run stopped by SIGTERM or SIGINT (Ctrl-C, a scrapyd cancel, a shutdown) was interrupted: its day
  is not rendered or stored as complete, and the next run of that day finishes the work; exit 3.
Either says so in one line on stderr, and a failed day in one line on the configured channels.
The README's table of exit codes lists every code a command returns.
"""

from __future__ import annotations

import logging
import sys

from newsbot.runs.stat_keys import RunSummary

logger = logging.getLogger(__name__)

# 0 is a finished run and 2 Scrapy's own code for a usage error; README's table lists them all.
EXIT_FAILED = 1
EXIT_INTERRUPTED = 3
# The reason Scrapy closes a spider with when the process got SIGTERM or SIGINT.
SHUTDOWN = "shutdown"


def interrupted(crawlers) -> bool:
    """Any of these crawlers was stopped by a shutdown signal rather than finishing its crawl."""
    return any(c.stats is not None and c.stats.get_value("finish_reason") == SHUTDOWN for c in crawlers)


def no_good_feed(runs: dict[str, RunSummary]) -> bool:
    """The run crawled sources and none of them read a feed."""
    return bool(runs) and not any(run.good for run in runs.values())


def failed_line(day: str, runs: dict[str, RunSummary]) -> str:
    statuses = ", ".join(f"{name} {run.status}" for name, run in runs.items())
    return (
        f"no source produced a good feed ({statuses}); no report written or stored for {day} "
        "(an earlier report of that day is kept)"
    )


def fail_day(settings, day: str, runs: dict[str, RunSummary], push: bool = True) -> int:
    """Say that the day failed (stderr, and the channels when PUSH and pushing is configured); the exit code."""
    print(f"newsbot: error: {failed_line(day, runs)}", file=sys.stderr)
    if push:
        push_failure(settings, f"newsbot：{day} 日报未生成：{len(runs)} 个来源都没有取得可用的 feed")
    sys.stderr.flush()
    return EXIT_FAILED


def interrupt_day(day: str) -> int:
    print(
        f"newsbot: error: interrupted (SIGTERM or SIGINT); the report for {day} was not written or stored; "
        "run the same command again to finish the day",
        file=sys.stderr,
    )
    sys.stderr.flush()
    return EXIT_INTERRUPTED


def push_failure(settings, line: str) -> None:
    """One line to every channel that takes alerts, when pushing is configured; a push that did not
    get through is one more line on stderr."""
    from newsbot.report.daily import push_unavailable

    if push_unavailable(settings):
        return
    from newsbot.delivery import push_alert

    pushed = push_alert(settings, line)
    if not pushed.ok:
        print("newsbot: error: the failure could not be pushed to every channel", file=sys.stderr)
