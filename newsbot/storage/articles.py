"""The `articles` collection: one document per canonical URL, its analysis stored on it."""

from __future__ import annotations

from datetime import UTC, datetime

import bson
from bson.codec_options import CodecOptions

_AWARE = CodecOptions(tz_aware=True)
DATE_FIELDS = ("published_at", "date_missing", "date_suspect", "feed_published_at")


def article_update(fields: dict, insert_only: tuple[str, ...] = ()) -> dict:
    """The upsert of an article: a re-crawl keeps first_seen and moves last_seen; the insert_only
    fields are written only when the article is new."""
    fields = dict(fields)
    now = datetime.now(UTC)
    on_insert = {"first_seen": now, **{key: fields.pop(key) for key in insert_only if key in fields}}
    return {"$set": {**fields, "last_seen": now}, "$setOnInsert": on_insert}


def insert_only_fields(doc: dict) -> tuple[str, ...]:
    """The fields of an article's `doc` that are written only when its URL is new (article_update's
    insert_only): a stored article keeps what it has of them."""
    if doc.get("skip_reason"):
        # A skipped entry (an arXiv replacement of a paper stored earlier as news) never overwrites
        # a stored article: it is only inserted when the URL is new.
        return tuple(doc)
    insert_only: tuple[str, ...] = ()
    if doc.get("content_source") == "feed-fallback":
        # The page failed this time: never replace text a better crawl already stored.
        insert_only += ("content", "content_source")
    if doc.get("date_missing") or doc.get("date_suspect"):
        # No usable date: the item is dated by when it was first seen, so a re-crawl (or a
        # feed that now claims 2099) never moves an already stored article into a later report.
        insert_only += DATE_FIELDS
    return insert_only


def new_article(url: str, fields: dict) -> dict:
    """The article document article_update's upsert creates when the URL is new (insert-only fields included):
    built from that update, so an insert and an upsert can never store different documents."""
    update = article_update(fields)
    return {"url": url, **update["$setOnInsert"], **update["$set"]}


def as_stored(doc: dict) -> dict:
    """The document as the database will give it back: its dates at BSON's millisecond precision, in UTC.
    What is analysed before a write must be what a read after it would see."""
    dates = {key: value for key, value in doc.items() if isinstance(value, datetime)}
    if not dates:
        return doc
    return {**doc, **bson.decode(bson.encode(dates), codec_options=_AWARE)}


async def find_article(db, url: str) -> dict | None:
    return await db.articles.find_one({"url": url})


async def store_analysis(db, url: str, record: dict) -> None:
    await db.articles.update_one({"url": url}, {"$set": {"analysis": record}})


# What a report reads of an article.
REPORT_FIELDS = ("url", "title", "source", "source_name", "published_at", "analysis", "skip_reason", "summary")


def articles_in_window(db, start: datetime, cutoff: datetime, opening_chars: int) -> list[dict]:
    """Every article published in [start, cutoff) (blocking pymongo database): what a report reads of
    it, with only the first `opening_chars` characters of its text. The fields are picked here, as
    each document arrives (so memory holds one batch of whole documents at most): the embedded
    database applies a projection in Python, at a cost per document (~0.4 s for 6,000 articles)
    above that of sending the fields a report does not read."""
    docs = []
    for doc in db.articles.find({"published_at": {"$gte": start, "$lt": cutoff}}):
        picked = {key: doc[key] for key in REPORT_FIELDS if key in doc}
        picked["content"] = (doc.get("content") or "")[:opening_chars]
        docs.append(picked)
    return docs


def has_articles(db, start: datetime, cutoff: datetime) -> bool:
    """Whether any article is published in [start, cutoff)."""
    return db.articles.find_one({"published_at": {"$gte": start, "$lt": cutoff}}, {"_id": 1}) is not None


def not_ai_articles(db, start: datetime, cutoff: datetime) -> list[dict]:
    """The articles of [start, cutoff) the analyzer judged not AI (url, title, source, analysis), by url."""
    query = {"published_at": {"$gte": start, "$lt": cutoff}, "analysis.ai_relevant": False}
    fields = {"url": 1, "title": 1, "source": 1, "source_name": 1, "analysis": 1}
    return sorted((d for d in db.articles.find(query, fields) if d.get("url")), key=lambda d: d["url"])


def articles_by_url(db, urls: list[str]) -> dict[str, dict]:
    """url -> the stored article (title, source, lang, published_at, text), for the urls stored."""
    fields = {"url": 1, "title": 1, "source": 1, "lang": 1, "published_at": 1, "content": 1, "summary": 1}
    return {d["url"]: d for d in db.articles.find({"url": {"$in": urls}}, fields) if d.get("url")}
