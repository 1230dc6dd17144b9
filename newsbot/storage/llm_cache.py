"""The `llm_cache` collection: one model answer per key (the overview), so a re-render costs nothing.

The overview is composed from a crawl (AsyncMongoClient) and from blocking commands (pymongo), so
the async functions take either kind of database.
"""

from __future__ import annotations

import inspect


async def _maybe_await(value):
    return await value if inspect.isawaitable(value) else value


async def cached_answer(db, key: str) -> dict | None:
    return await _maybe_await(db.llm_cache.find_one({"key": key}))


async def cache_answer(db, key: str, doc: dict) -> None:
    await _maybe_await(db.llm_cache.update_one({"key": key}, {"$set": {**doc, "key": key}}, upsert=True))


def cached_usage(db, key: str) -> dict:
    """The token counts stored with an answer (blocking pymongo database); {} when there is none."""
    return (db.llm_cache.find_one({"key": key}, {"usage": 1}) or {}).get("usage") or {}
