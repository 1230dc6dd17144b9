"""Every collection's indexes, in one table: created when a crawl opens the store, and before a
collection's first write from a blocking command."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict]]] = {
    # One document per canonical URL: a re-crawl updates in place.
    "articles": [
        ([("url", ASCENDING)], {"unique": True}),
        ([("published_at", DESCENDING)], {}),
        ([("source", ASCENDING), ("published_at", DESCENDING)], {}),
    ],
    "runs": [
        ([("source", ASCENDING), ("finished_at", DESCENDING)], {}),
        # scrapy schedule reads each job's outcome by its id; a report reads the runs of its day.
        ([("job", ASCENDING)], {}),
        ([("report_day", ASCENDING), ("source", ASCENDING)], {}),
        # Source health reads every source's runs of its window in one query.
        ([("finished_at", DESCENDING)], {}),
    ],
    "llm_cache": [([("key", ASCENDING)], {"unique": True})],
    # One document per day, even when two crawls close at once and both render.
    "reports": [([("date", ASCENDING)], {"unique": True})],
    # A day's edits in order (storage/edits.py), and the stories one editor touched.
    "edits": [([("day", ASCENDING), ("version", ASCENDING)], {}), ([("day", ASCENDING), ("url", ASCENDING)], {})],
}


async def create_indexes(db) -> None:
    """Every index, on an AsyncMongoClient database (idempotent)."""
    for collection, indexes in INDEXES.items():
        for keys, options in indexes:
            await db[collection].create_index(keys, **options)


def create_indexes_sync(db, *collections: str) -> None:
    """The indexes of the named collections (default: all), on a blocking pymongo database."""
    for collection in collections or INDEXES:
        for keys, options in INDEXES[collection]:
            db[collection].create_index(keys, **options)
