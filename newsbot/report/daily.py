"""Producing the day's report: build it from MongoDB, render every format, write the files, remember it.

    published = publish_day(settings)           # the day NEWSBOT_DATE names, or the live window
    push_published(settings, published)         # send the files to every configured channel

Used by `scrapy report`, `scrapy digest` and the report-on-close extension, which print or log the
outcome and decide whether to push.
"""

from __future__ import annotations

import logging
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newsbot.analysis.breaker import open_in_process
from newsbot.config import config_for
from newsbot.report.build import Report, build_report
from newsbot.report.memory import memory_record
from newsbot.report.render import render_formats
from newsbot.report.review import draft_notice, review_fields
from newsbot.runs.stat_keys import RunSummary
from newsbot.storage.articles import has_articles
from newsbot.storage.connection import sync_db
from newsbot.storage.edits import delete_day_edits
from newsbot.storage.report_schema import check_for_write
from newsbot.storage.reports import delete_report, save_report
from newsbot.text.window import Window, report_window

logger = logging.getLogger(__name__)


@dataclass
class PublishedReport:
    report: Report
    paths: list[Path]
    # This run's LLM fallbacks, and whether its LLM went down (the breaker tripped) without
    # NEWSBOT_LLM_FALLBACK_OK: the day is then stored as a draft, which `scrapy publish` leaves out.
    fallbacks: int = 0
    draft: bool = False
    # NEWSBOT_REQUIRE_APPROVAL: the day waits for an editor (report.review); its push is one line.
    awaiting_approval: bool = False


def llm_fallbacks(runs: dict[str, RunSummary] | None) -> tuple[int, bool]:
    """The fallbacks the runs' analyzers made, and whether any run's LLM breaker tripped."""
    runs = [r for r in (runs or {}).values() if r is not None]
    return sum(int(r.llm.get("fallbacks", 0) or 0) for r in runs), any(r.llm.get("breaker_tripped") for r in runs)


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def report_document(report: Report, window: Window, paths: list[Path]) -> dict:
    """The `reports` document of the day: what was published, and its events for later days' memory."""
    return {
        "date": report.date,
        "generated_at": report.generated_at.astimezone(UTC),
        "window_start": window.start,
        "cutoff": window.cutoff,
        "live": window.live,
        "raw_count": report.raw_count,
        "overview": report.overview,
        "entries": [memory_record(e) for e in report.events],
        "sources": {k: v for k, v in report.runs.items() if v},
        "files": [str(p) for p in paths],
        # The JSON report itself: the published site, feed and weekly report are built from it.
        "payload": report.payload(),
    }


def publish_report(settings, db, window: Window, output_dir, runs=None, now=None) -> PublishedReport:
    report = build_report(settings, db, window, runs=runs, now=now)
    texts = render_formats(report, config_for(settings).report.formats)
    out = Path(output_dir)
    paths = [out / f"{report.date}.{fmt}" for fmt in texts]
    # Checked before any file is written: a report the archive would refuse is not published either.
    fallbacks, offline = llm_fallbacks(runs)
    # The runs' stats tell of their crawls; a render with no crawl before it (`scrapy report`, and so
    # `scrapy schedule`) went offline when its own catch-up or overview tripped the breaker.
    offline = offline or open_in_process()
    draft = offline and not config_for(settings).analysis.llm_fallback_ok
    document = report_document(report, window, paths)
    review = review_fields(settings, db, report.date)
    awaiting = review.pop("awaiting_approval", False)
    document.update(review)
    if draft:
        document["status"] = "draft"
    document = check_for_write(document)
    for path, text in zip(paths, texts.values(), strict=True):
        write_atomic(path, text)
    # Only a report that reached the disk counts as "reported" for later days' repeat check.
    save_report(db, document)
    return PublishedReport(report, paths, fallbacks, draft, awaiting)


def publish_day(
    settings, runs: dict[str, RunSummary] | None = None, output_dir=None, now: datetime | None = None
) -> PublishedReport:
    """Publish the day NEWSBOT_DATE names (live window when unset) from what MongoDB holds."""
    window = report_window(settings, now=now)
    client, db = sync_db(settings)
    try:
        out = output_dir or config_for(settings).report.output_dir
        return publish_report(settings, db, window, out, runs=runs, now=now)
    finally:
        client.close()


def articles_stored(settings) -> bool:
    """Whether any article is stored for the window of the day NEWSBOT_DATE names."""
    window = report_window(settings)
    client, db = sync_db(settings)
    try:
        return has_articles(db, window.start, window.cutoff)
    finally:
        client.close()


def drop_stored_day(settings, day: str) -> list[Path] | None:
    """Remove the stored report of DAY and the report files it wrote: the paths removed, or None when
    no report of DAY is stored. Its articles stay (a later `scrapy report --date DAY` renders it again)."""
    client, db = sync_db(settings)
    try:
        doc = delete_report(db, day)
        # The day's edits go with it: a later render of the day starts from the analyzer's picks.
        delete_day_edits(db, day)
    finally:
        client.close()
    if doc is None:
        return None
    removed = []
    for name in doc.get("files") or []:
        path = Path(name)
        # Only the day's own report files: a document names no other path, but a crafted one could.
        if path.name.startswith(f"{day}.") and path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def push_unavailable(settings) -> str | None:
    """Why nothing can be pushed (turned off, no channel), or None."""
    delivery = config_for(settings).delivery
    if not delivery.enabled:
        return "pushing is turned off (NEWSBOT_PUSH_ENABLED=False)"
    if not delivery.channels:
        return "no channel is configured; set NEWSBOT_CHANNELS (docs/operations.md)"
    return None


def undelivered(pushed, day: str) -> str | None:
    """None when the report reached every channel, else the one line saying where it did not and why."""
    if pushed is None or pushed.ok:
        return None
    failed = [c for c in pushed.channels if not c.ok]
    why = "; ".join(f"{c.name}: {c.errors[0] if c.errors else 'not every part was sent'}" for c in failed)
    where = "to no channel" if len(failed) == len(pushed.channels) else "not to " + ", ".join(c.name for c in failed)
    resend = f"re-send with `scrapy report --date {day} --push`"
    return f"the report was delivered {where} ({why}); the files are written, {resend}"


def push_published(settings, published: PublishedReport):
    """Send the written files to every configured channel, plus an alert for broken sources; the
    delivery result (None when pushing is off). Never raises: newsbot.delivery retries, logs and counts."""
    from newsbot.delivery import push_alert, push_notice, push_report
    from newsbot.runs.health import alert_text

    if push_unavailable(settings):
        return None
    payload = published.report.payload()
    if published.awaiting_approval:
        return push_notice(settings, draft_notice(payload["date"]))
    files = {p.suffix.lstrip("."): p for p in published.paths}
    pushed = push_report(settings, payload, files)
    if config_for(settings).delivery.alerts:
        push_alert(settings, alert_text(payload["stats"].get("broken_sources") or [], payload["date"]))
    return pushed
