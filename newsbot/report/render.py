"""Rendering the day's report: one Jinja2 template per format (txt, md, html, json), written atomically.

Every field of an entry (title, url, source, summary, reason, tags) is copied in code from one stored
article (`select.Candidate`); templates only lay them out. HTML is autoescaped and carries a
Content-Security-Policy that lets only its own inline script and style run (by hash).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import sys
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from newsbot.analysis.schema import IMPORTANCE_MARK
from newsbot.health import broken_sources, source_health
from newsbot.report.overview import Overview, build_overview
from newsbot.report.select import REGIONS, Event, Selection, Window, memory_record, report_window, select
from newsbot.sources import SOURCES, display_name
from newsbot.stats import RunSummary
from newsbot.storage.connection import sync_db
from newsbot.storage.errors import StoreUnavailable
from newsbot.storage.indexes import create_indexes_sync

logger = logging.getLogger(__name__)

FORMATS = ("txt", "md", "html", "json")
STATUS_LABELS = {"blocked": "被拦截", "error": "抓取失败", "empty": "无内容", "missing": "未抓取"}


# --- Entries and stats -------------------------------------------------------------------------


def _iso(value: datetime | None, tz) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).isoformat(timespec="seconds")


def entry_dict(event: Event, rank: int, tz) -> dict:
    """The JSON Entry; everything but rank comes from the event's lead article."""
    lead = event.lead
    return {
        "rank": rank,
        "title": lead.title,
        "summary": lead.summary,
        "url": lead.url,
        "source": lead.source,
        "source_name": lead.source_name,
        "region": lead.region,
        "importance": lead.importance,
        "score": lead.score,
        "category": lead.category,
        "reason": lead.reason,
        "tags": list(lead.tags),
        "published_at": _iso(lead.published_at, tz),
        "also_reported_by": [{"source": c.source, "source_name": c.source_name, "url": c.url} for c in event.others],
    }


RUN_FIELDS = ("status", "items_seen", "stored", "failed_pages", "errors", "blocked", "finished_at")


def _run_facts(run: dict) -> dict:
    return {k: run.get(k) for k in RUN_FIELDS if k in run}


def source_runs(db, window: Window, given: dict[str, RunSummary] | None, previous: dict | None) -> dict:
    """The latest run of each source for this day: this process's runs (digest, the closing crawl),
    runs that finished inside the window, or those the day's earlier render recorded."""
    out: dict[str, dict | None] = {}
    for name in SOURCES:
        found = []
        if given and given.get(name):
            found.append(_run_facts(given[name].as_doc()))
        doc = db.runs.find_one(
            {"source": name, "finished_at": {"$gte": window.start, "$lt": window.cutoff}},
            sort=[("finished_at", -1)],
        )
        if doc:
            found.append(_run_facts(doc))
        if previous and previous.get(name):
            found.append(previous[name])
        found = [r for r in found if isinstance(r.get("finished_at"), datetime)]
        out[name] = max(found, key=lambda r: r["finished_at"]) if found else None
    return out


def build_stats(settings, selection: Selection, runs: dict[str, dict | None], overview: Overview) -> dict:
    tz = selection.window.tz
    sources = {}
    missing = []
    for name, run in runs.items():
        status = (run or {}).get("status") or "missing"
        sources[name] = {
            "source_name": display_name(name),
            "status": status,
            "fetched": int((run or {}).get("items_seen") or 0),
            "stored": int((run or {}).get("stored") or 0),
            "failed_pages": int((run or {}).get("failed_pages") or 0),
            "errors": int((run or {}).get("errors") or 0),
            "blocked": int((run or {}).get("blocked") or 0),
            "in_window": selection.window_by_source.get(name, 0),
            "finished_at": _iso((run or {}).get("finished_at"), tz),
        }
        if status != "ok":
            missing.append({"source": name, "source_name": display_name(name), "status": status})

    prompt = completion = fallbacks = 0
    by_analyzer: dict[str, int] = {}
    models: set[str] = set()
    for analysis in selection.analyses:
        usage = analysis.get("usage") or {}
        prompt += int(usage.get("prompt_tokens") or 0)
        completion += int(usage.get("completion_tokens") or 0)
        kind = analysis.get("analyzer") or "unknown"
        by_analyzer[kind] = by_analyzer.get(kind, 0) + 1
        fallbacks += kind == "heuristic-fallback"
        if kind == "llm" and analysis.get("model"):
            models.add(analysis["model"])
    if not overview.cached:
        prompt += int(overview.usage.get("prompt_tokens") or 0)
        completion += int(overview.usage.get("completion_tokens") or 0)
    price_prompt = settings.getfloat("NEWSBOT_PRICE_PROMPT_PER_1K", 0.0)
    price_completion = settings.getfloat("NEWSBOT_PRICE_COMPLETION_PER_1K", 0.0)
    cost = prompt / 1000 * price_prompt + completion / 1000 * price_completion
    cs = selection.cluster_stats
    return {
        "window": {
            "start": _iso(selection.window.start, tz),
            "cutoff": _iso(selection.window.cutoff, tz),
            "live": selection.window.live,
        },
        "sources": sources,
        "missing_sources": missing,
        "eligible": selection.eligible,
        "events": cs.clusters,
        "duplicates_merged": cs.merged,
        "repeats_skipped": len(selection.repeats),
        "llm": {
            "analyzed": len(selection.analyses),
            "by_analyzer": dict(sorted(by_analyzer.items())),
            "models": sorted(models),
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "cost_usd": round(cost, 6),
            "overview": overview.kind,
            "overview_cached": overview.cached,
        },
        "fallbacks": fallbacks,
    }


def missing_line(missing: list[dict], broken: list[dict] | None = None) -> str:
    """The one footer line naming sources missing today and sources broken for several runs."""
    parts = []
    if missing:
        labels = [f"{m['source_name']}（{STATUS_LABELS.get(m['status'], m['status'])}）" for m in missing]
        parts.append("⚠️ 本期缺失来源: " + "、".join(labels))
    if broken:
        labels = [f"{b['source_name']}（{b.get('reason_zh') or b.get('reason')}）" for b in broken]
        parts.append("🚨 持续异常来源: " + "、".join(labels))
    return "；".join(parts)


# --- The report model --------------------------------------------------------------------------


@dataclass
class Report:
    date: str
    generated_at: datetime  # local
    raw_count: int
    domestic: list[dict]
    international: list[dict]
    overview: str
    stats: dict
    short_top: int = 5
    events: list[Event] = field(default_factory=list, repr=False)
    runs: dict = field(default_factory=dict, repr=False)  # per source, as stored for re-renders

    def payload(self) -> dict:
        """The JSON document, exactly the documented shape."""
        return {
            "date": self.date,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "raw_count": self.raw_count,
            "domestic": self.domestic,
            "international": self.international,
            "overview": self.overview,
            "stats": self.stats,
        }


def build_report(settings, db, window: Window, runs: dict | None = None, now: datetime | None = None) -> Report:
    selection = select(db, settings, window)
    tz = window.tz
    regions = {r: [entry_dict(e, i, tz) for i, e in enumerate(getattr(selection, r), 1)] for r in REGIONS}
    overview = build_overview(settings, db, selection.raw_count, regions["domestic"], regions["international"])
    previous = db.reports.find_one({"date": window.day.isoformat()}, {"sources": 1}) or {}
    all_runs = source_runs(db, window, runs, previous.get("sources"))
    stats = build_stats(settings, selection, all_runs, overview)
    # Health looks at the last runs of each source, whatever the report day: a source broken now is news.
    stats["broken_sources"] = broken_sources(source_health(db, now, None, settings))
    return Report(
        date=window.day.isoformat(),
        generated_at=(now or datetime.now(UTC)).astimezone(tz),
        raw_count=selection.raw_count,
        domestic=regions["domestic"],
        international=regions["international"],
        overview=overview.text,
        stats=stats,
        short_top=settings.getint("NEWSBOT_SHORT_TOP", 5),
        events=selection.events,
        runs=all_runs,
    )


# --- Templates ---------------------------------------------------------------------------------


def _one_line(value) -> str:
    return " ".join(str(value or "").split())


def _md_escape(value) -> str:
    """Escape what starts inline markup mid-line (entries never start a line, so no # + - here):
    emphasis, code, links (brackets), raw HTML, strikethrough and table pipes."""
    text = _one_line(value)
    for ch in "\\`*_[]<>~|":
        text = text.replace(ch, "\\" + ch)
    return text


def _safe_url(value) -> str:
    """Only http(s) links are ever emitted: a stored URL is data, not a place to run code."""
    url = str(value or "").strip()
    return url if urlsplit(url).scheme in ("http", "https") else "#"


def _md_url(value) -> str:
    return quote(_safe_url(value), safe=":/?#[]@!$&'*+,;=%~-._")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


_ENV: Environment | None = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        env = Environment(
            # Package data, so a scrapyd egg (a zip) finds the templates too.
            loader=PackageLoader("newsbot.report", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=StrictUndefined,
        )
        env.filters.update(one_line=_one_line, md=_md_escape, safe_url=_safe_url, md_url=_md_url)
        env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
        _ENV = env
    return _ENV


def _static(name: str) -> str:
    env = environment()
    source, _, _ = env.loader.get_source(env, name)
    return source


def template_context(report: Report) -> dict:
    missing = report.stats.get("missing_sources") or []
    broken = report.stats.get("broken_sources") or []
    script, style = _static("report.js"), _static("report.css")
    return {
        "r": report,
        "date": report.date,
        "generated_at": report.generated_at.strftime("%Y-%m-%d %H:%M:%S"),
        "raw_count": report.raw_count,
        "domestic": report.domestic,
        "international": report.international,
        "short_domestic": report.domestic[: report.short_top],
        "short_international": report.international[: report.short_top],
        "overview": report.overview,
        "stats": report.stats,
        "missing": missing or broken,
        "missing_line": missing_line(missing, broken),
        "mark": IMPORTANCE_MARK,
        "script": script,
        "style": style,
        "csp": f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'",
    }


def render_formats(report: Report, formats=FORMATS) -> dict[str, str]:
    """Every requested format rendered in memory first: a template error writes nothing."""
    env = environment()
    context = template_context(report)
    out = {}
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown report format {fmt!r}; known: {', '.join(FORMATS)}")
        if fmt == "json":
            out[fmt] = env.get_template("report.json.j2").render(payload=report.payload())
        else:
            out[fmt] = env.get_template(f"report.{fmt}.j2").render(context)
    return out


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


# --- Entry points ------------------------------------------------------------------------------


@dataclass
class RenderResult:
    report: Report
    paths: list[Path]


def _remember(db, report: Report, window: Window, paths: list[Path]) -> None:
    runs = report.runs
    # One document per day, even when two crawls close at once and both render.
    create_indexes_sync(db, "reports")
    db.reports.replace_one(
        {"date": report.date},
        {
            "date": report.date,
            "generated_at": report.generated_at.astimezone(UTC),
            "window_start": window.start,
            "cutoff": window.cutoff,
            "live": window.live,
            "raw_count": report.raw_count,
            "overview": report.overview,
            "entries": [memory_record(e) for e in report.events],
            "sources": {k: v for k, v in runs.items() if v},
            "files": [str(p) for p in paths],
        },
        upsert=True,
    )


def render_report_files(settings, db, window: Window, output_dir, runs=None, now=None) -> RenderResult:
    report = build_report(settings, db, window, runs=runs, now=now)
    formats = [f.strip() for f in settings.getlist("NEWSBOT_REPORT_FORMATS") or FORMATS if f.strip()]
    texts = render_formats(report, formats)
    out = Path(output_dir)
    paths = []
    for fmt, text in texts.items():
        path = out / f"{report.date}.{fmt}"
        write_atomic(path, text)
        paths.append(path)
    # Only a report that reached the disk counts as "reported" for later days' repeat check.
    _remember(db, report, window, paths)
    return RenderResult(report, paths)


def render_day(settings, runs: dict | None = None, output_dir=None, now: datetime | None = None) -> RenderResult:
    """Render the day NEWSBOT_DATE names (live window when unset) from what MongoDB holds."""
    window = report_window(settings, now=now)
    client, db = sync_db(settings)
    try:
        return render_report_files(
            settings, db, window, output_dir or settings.get("NEWSBOT_OUTPUT_DIR") or "reports", runs=runs, now=now
        )
    finally:
        client.close()


def report_failed(exc: BaseException) -> None:
    if isinstance(exc, StoreUnavailable | ValueError | OSError):
        logger.error("Report not rendered: %s", exc)
    else:
        logger.exception("Report not rendered")
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    print(f"newsbot: report not rendered: {reason}", file=sys.stderr)


def push_result(settings, result: RenderResult) -> bool:
    """Send rendered files to every configured channel, plus an alert for broken sources.
    Never raises: delivery failures are retried, logged and counted by newsbot.delivery."""
    from newsbot.delivery import push_alert, push_report
    from newsbot.health import alert_text

    if not settings.getbool("NEWSBOT_PUSH_ENABLED", True) or not settings.getdict("NEWSBOT_CHANNELS"):
        return True
    payload = result.report.payload()
    files = {p.suffix.lstrip("."): p for p in result.paths}
    pushed = push_report(settings, payload, files)
    if settings.getbool("NEWSBOT_PUSH_ALERTS", True):
        push_alert(settings, alert_text(payload["stats"].get("broken_sources") or [], payload["date"]))
    if not pushed.ok:
        print(
            f"newsbot: warning: push failed for {pushed.failed} channel(s); the report files are written",
            file=sys.stderr,
        )
    return pushed.ok


def render_after_digest(settings, runs: dict) -> int:
    """Called by `scrapy digest` once every spider has finished; prints the report paths, then pushes."""
    if not settings.getbool("NEWSBOT_REPORT_ENABLED", True):
        return 0
    try:
        result = render_day(settings, runs=runs)
    except Exception as exc:
        report_failed(exc)
        return 1
    print_result(result)
    # A failed push never fails the run: the files are written and `scrapy report --push` re-sends.
    push_result(settings, result)
    return 0


def print_result(result: RenderResult) -> None:
    r = result.report
    line = missing_line(r.stats.get("missing_sources") or [], r.stats.get("broken_sources") or [])
    print(
        f"report {r.date}: {len(r.domestic)} domestic + {len(r.international)} international "
        f"from {r.raw_count} articles ({r.stats['duplicates_merged']} duplicates merged)"
    )
    if line:
        print(line)
    for path in result.paths:
        print(path)
    sys.stdout.flush()
