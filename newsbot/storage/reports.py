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
