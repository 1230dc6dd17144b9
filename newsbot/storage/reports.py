"""The `reports` collection: one document per report day (what was published, and the events it
carried, for later days' repeat check, and the JSON report the published site is built from).
Blocking pymongo: reports are built outside the reactor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from newsbot.storage.indexes import create_indexes_sync


def save_report(db, doc: dict) -> None:
    """Store (or replace) the report of doc["date"]; the index keeps one document per day."""
    create_indexes_sync(db, "reports")
    db.reports.replace_one({"date": doc["date"]}, doc, upsert=True)


def recorded_sources(db, day: date) -> dict:
    """The per-source runs the day's earlier report recorded ({} when there is none)."""
    doc = db.reports.find_one({"date": day.isoformat()}, {"sources": 1}) or {}
    return doc.get("sources") or {}


def reported_entries(db, since: date, before: date) -> Iterator[tuple[str, dict]]:
    """(report day, entry) of every event reported on a day in [since, before)."""
    query = {"date": {"$gte": since.isoformat(), "$lt": before.isoformat()}}
    for doc in db.reports.find(query, {"date": 1, "entries": 1}):
        for entry in doc.get("entries") or []:
            yield doc["date"], entry


_PUBLISHED_FIELDS = {"date": 1, "generated_at": 1, "cutoff": 1, "payload": 1, "entries": 1, "files": 1}


def stored_reports(db, first: str | None = None, last: str | None = None) -> Iterator[dict]:
    """The report documents with first <= date <= last (ISO dates; either may be None), oldest first:
    date, generated_at, cutoff, payload (the JSON report), entries (memory records) and files."""
    bounds = {**({"$gte": first} if first else {}), **({"$lte": last} if last else {})}
    yield from db.reports.find({"date": bounds} if bounds else {}, _PUBLISHED_FIELDS).sort("date", 1)


ARTICLE_FIELDS = {"url": 1, "title": 1, "source_name": 1, "source": 1, "analysis": 1}


def stored_report_days(db, days: list[str] | None = None, last: int | None = None) -> list[dict]:
    """Rendered days with each entry's lead article (title, summary, source, region, importance) read
    back from `articles`, newest day first: the input an overview prompt gets (`evalprompts --task overview`)."""
    query = {"date": {"$in": days}} if days else {}
    cursor = db.reports.find(query, {"date": 1, "raw_count": 1, "entries.url": 1}).sort("date", -1)
    out = []
    for doc in cursor.limit(last or 0):
        urls = [e["url"] for e in doc.get("entries") or [] if e.get("url")]
        found = {a["url"]: a for a in db.articles.find({"url": {"$in": urls}}, ARTICLE_FIELDS)}
        entries = []
        for url in urls:
            article = found.get(url)
            if article is None:
                continue
            analysis = article.get("analysis") or {}
            entries.append(
                {
                    "title": article.get("title") or "",
                    "summary": analysis.get("summary_zh") or "",
                    "source_name": article.get("source_name") or article.get("source") or "",
                    "region": analysis.get("region") or "",
                    "importance": analysis.get("importance") or "",
                }
            )
        out.append({"date": doc["date"], "raw_count": int(doc.get("raw_count") or 0), "entries": entries})
    return out
