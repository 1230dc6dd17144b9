"""Batched article reads and writes: requests that reach the database together are served by one
round trip (a bulk_write, or one find of many URLs) instead of one each.

A caller awaits its own request and gets its own answer; an item is handed on (acknowledged) only once
the bulk write that holds it has returned, so a crash or an outage mid-batch loses only what was never
acknowledged, exactly as with one write per item; a failed round trip fails every request of that
batch, which the caller retries. A batch is sent when it is full, when its oldest request has waited
`max_delay` seconds, and at close.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pymongo import InsertOne, UpdateOne
from pymongo.errors import BulkWriteError

from newsbot.storage.articles import article_update, new_article

DUPLICATE_KEY = 11000


@dataclass
class _Pending:
    key: Any
    done: asyncio.Future


def _answer(p: _Pending, result: Any = None, *, error: BaseException | None = None) -> None:
    if p.done.done():  # its caller gave up waiting (cancelled)
        return
    if error is not None:
        p.done.set_exception(error)
    else:
        p.done.set_result(result)


class _Coalescer:
    """Requests queued until the batch is full or old enough, then served together by `_serve`."""

    def __init__(self, *, max_size: int = 100, max_delay: float = 0.05):
        self.max_size = max(1, max_size)
        self.max_delay = max(0.0, max_delay)
        self.pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._batches: set[asyncio.Task] = set()

    async def _request(self, key: Any):
        entry = _Pending(key, asyncio.get_running_loop().create_future())
        self.pending.append(entry)
        if len(self.pending) >= self.max_size:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.max_delay, self._flush)
        return await entry.done

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self.pending = self.pending, []
        if batch:
            task = asyncio.ensure_future(self._run(batch))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _run(self, batch: list[_Pending]) -> None:
        try:
            await self._serve(batch)
        except BaseException as exc:  # an outage: no request of the batch is answered
            for p in batch:
                _answer(p, error=exc)
            if not isinstance(exc, Exception):
                raise

    async def _serve(self, batch: list[_Pending]) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Serve what is pending and wait for every batch in flight."""
        self._flush()
        if self._batches:
            await asyncio.gather(*list(self._batches), return_exceptions=True)


class _BulkWriter(_Coalescer):
    """Each request is one write (UpdateOne, InsertOne); its answer is whether an upsert inserted a new document."""

    def __init__(self, db, **limits):
        super().__init__(**limits)
        self.collection = db.articles

    async def _serve(self, batch: list[_Pending]) -> None:
        try:
            result = await self.collection.bulk_write([p.key for p in batch], ordered=False)
        except BulkWriteError as exc:
            # Unordered: every op without an error of its own was applied.
            failed = {err["index"]: err for err in exc.details.get("writeErrors", [])}
            inserted = {up["index"] for up in exc.details.get("upserted", [])}
            for i, p in enumerate(batch):
                if i in failed:
                    _answer(p, error=BulkWriteError({"writeErrors": [failed[i]]}))
                else:
                    _answer(p, i in inserted)
            return
        inserted = set(result.upserted_ids)
        for i, p in enumerate(batch):
            _answer(p, i in inserted)


class ArticleBatcher(_BulkWriter):
    def __init__(self, db, *, absent: set[str] | None = None, **limits):
        """`absent`: URLs a read has just found no article of (ArticleReader's), shared with the readers."""
        super().__init__(db, **limits)
        self.absent = absent if absent is not None else set()

    async def upsert(self, url: str, fields: dict, *, insert_only: tuple[str, ...] = ()) -> bool:
        """Upsert one article (newsbot.storage.articles.article_update); True when it is new. Raises what
        its write raised. When a read has just found no article of this URL, it is inserted, as its upsert
        would have created it (a database inserts a batch for a fraction of what upserts cost); if another
        write has stored the URL since, it is upserted after all."""
        if url in self.absent:
            self.absent.discard(url)
            try:
                await self._request(InsertOne(new_article(url, fields)))
                return True
            except BulkWriteError as exc:
                if exc.details["writeErrors"][0].get("code") != DUPLICATE_KEY:
                    raise
        return await self._request(UpdateOne({"url": url}, article_update(fields, insert_only), upsert=True))


class AnalysisWriter(_BulkWriter):
    async def store(self, url: str, record: dict) -> None:
        """Store an article's analysis record on it. Raises what its write raised."""
        await self._request(UpdateOne({"url": url}, {"$set": {"analysis": record}}))


class ArticleReader(_Coalescer):
    def __init__(self, db, *, projection: dict | None = None, absent: set[str] | None = None, **limits):
        """`projection` names the fields to read (the url always comes back); None reads whole articles.
        `absent` collects the URLs found to have no article (for ArticleBatcher's inserts)."""
        super().__init__(**limits)
        self.collection = db.articles
        self.projection = {**projection, "url": 1} if projection else None
        self.absent = absent if absent is not None else set()

    async def find(self, url: str) -> dict | None:
        """The stored article of this URL (the projected fields), or None."""
        return await self._request(url)

    async def _serve(self, batch: list[_Pending]) -> None:
        query = {"url": {"$in": [p.key for p in batch]}}
        found = {doc["url"]: doc async for doc in self.collection.find(query, self.projection)}
        for p in batch:
            doc = found.get(p.key)
            if doc is None:
                self.absent.add(p.key)
            else:
                self.absent.discard(p.key)
            _answer(p, doc)
