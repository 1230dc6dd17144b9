"""The `reports` collection: one document per report day (what was published, and the events it
carried, for later days' repeat check, and the JSON report the published site is built from).
Blocking pymongo: reports are built outside the reactor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from newsbot.storage.indexes import create_indexes_sync
from newsbot.storage.report_schema import check_for_write, valid_or_none


def save_report(db, doc: dict) -> None:
    """Store (or replace) the report of doc["date"]; the index keeps one document per day. A document
    that fails the schema (report_schema) raises InvalidReport and is not stored."""
    check_for_write(doc)
    create_indexes_sync(db, "reports")
    db.reports.replace_one({"date": doc["date"]}, doc, upsert=True)


def delete_report(db, day: str) -> dict | None:
    """Remove the stored report of DAY (ISO date); the document removed, or None when there was none."""
    return db.reports.find_one_and_delete({"date": day})


# Every read below takes whole documents and checks them against the schema: a document that fails is
# skipped (report_schema.valid_or_none), so no reader meets a field of the wrong type.


def _valid(cursor) -> Iterator[dict]:
    for doc in cursor:
        if valid_or_none(doc) is not None:
            yield doc


def recorded_sources(db, day: date) -> dict:
    """The per-source runs the day's earlier report recorded ({} when there is none)."""
    doc = valid_or_none(db.reports.find_one({"date": day.isoformat()})) or {}
    return doc.get("sources") or {}


def reported_entries(db, since: date, before: date) -> Iterator[tuple[str, dict]]:
    """(report day, entry) of every event reported on a day in [since, before)."""
    query = {"date": {"$gte": since.isoformat(), "$lt": before.isoformat()}}
    for doc in _valid(db.reports.find(query)):
        for entry in doc.get("entries") or []:
            yield doc["date"], entry


def stored_reports(db, first: str | None = None, last: str | None = None) -> Iterator[dict]:
    """The report documents with first <= date <= last (ISO dates; either may be None), oldest first:
    date, generated_at, cutoff, payload (the JSON report), entries (memory records) and files."""
    bounds = {**({"$gte": first} if first else {}), **({"$lte": last} if last else {})}
    yield from _valid(db.reports.find({"date": bounds} if bounds else {}).sort("date", 1))


ARTICLE_FIELDS = {"url": 1, "title": 1, "source_name": 1, "source": 1, "analysis": 1}


def stored_report_days(db, days: list[str] | None = None, last: int | None = None) -> list[dict]:
    """Rendered days with each entry's lead article (title, summary, source, region, importance) read
    back from `articles`, newest day first: the input an overview prompt gets (`evalprompts --task overview`)."""
    query = {"date": {"$in": days}} if days else {}
    cursor = db.reports.find(query).sort("date", -1)
    out = []
    for doc in _valid(cursor.limit(last or 0)):
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


def report_status(db, day: str) -> str:
    """The stored day's review status: "none" (not rendered), "approved", "draft" or "rendered"."""
    doc = valid_or_none(db.reports.find_one({"date": day}, {"status": 1, "date": 1}))
    if doc is None:
        return "none"
    return doc.get("status") or "rendered"


def stored_review(db, day: str) -> dict:
    """The stored day's document ({} when none is stored): its review fields (status, approved_*)."""
    return valid_or_none(db.reports.find_one({"date": day})) or {}


def mark_approved(db, day: str, editor: str, version: int, when, entries: dict[str, str]) -> bool:
    """Mark the stored day approved by EDITOR at edit version VERSION, with the fingerprints of the
    entries it approved (a later approval pushes only what changed); False when no day is stored."""
    marks = {
        "status": "approved",
        "approved_at": when,
        "approved_by": editor,
        "approved_version": version,
        "approved_entries": entries,
    }
    found = db.reports.update_one({"date": day}, {"$set": marks})
    return found.matched_count == 1
