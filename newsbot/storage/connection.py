"""Which MongoDB server, and the connections to it.

MONGO_URI (environment, or a setting for tests) names a server; unset, the embedded SecantusDB
daemon of NEWSBOT_DATA_DIR is used (newsbot.storage.embedded). Every crawl of a process (the
hundreds of `scrapy digest`) shares one async Store across its pipelines and extensions
(crawler_store): one connection pool, not one per source, which a server caps (SecantusDB at 1000
connections) and which costs memory; commands outside the reactor use sync_db.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from pymongo import AsyncMongoClient, MongoClient

from newsbot.config import config_for
from newsbot.runtime.resources import resources_of
from newsbot.storage.bulk import AnalysisWriter, ArticleReader
from newsbot.storage.embedded import ensure_embedded_server, running_server
from newsbot.storage.errors import StoreError, StoreUnavailable, short_error
from newsbot.storage.indexes import create_indexes
from newsbot.text.urls import mask_uri_password


def resolve_mongo_uri(settings) -> str:
    """MONGO_URI from the environment (or a MONGO_URI setting, for tests), else the embedded server."""
    store = config_for(settings).store
    uri = os.environ.get("MONGO_URI") or store.mongo_uri
    if uri:
        return uri
    return ensure_embedded_server(store.data_dir, store.db_idle_stop)


def embedded_server_running(settings) -> str | None:
    """The one line `scrapy digest` prints when it leaves the embedded database running, else None."""
    store = config_for(settings).store
    if os.environ.get("MONGO_URI") or store.mongo_uri:
        return None
    data_dir = Path(store.data_dir).resolve()
    if running_server(data_dir) is None:
        return None
    idle = store.db_idle_stop
    when = f"stops by itself after {idle:g} idle minute(s)" if idle > 0 else "runs until stopped"
    return (
        f"newsbot: the embedded database (data in {data_dir}) is still running in the background and {when}; "
        f"stop it now with: {sys.executable} -m newsbot.storage stop {data_dir}"
    )


def database_name(settings, uri: str) -> str:
    return _uri_database(uri) or config_for(settings).store.mongo_database


@functools.lru_cache(maxsize=16)
def _uri_database(uri: str) -> str | None:
    """The database a URI names (parsed once per process: every crawler of a digest asks)."""
    from pymongo.uri_parser import parse_uri

    try:
        return parse_uri(uri).get("database")
    except Exception:  # a bad URI is reported by the ping, with the password masked
        return None


class Store:
    """One async connection per crawler, created on the reactor's loop (AsyncMongoClient binds to it)."""

    def __init__(self, uri: str, dbname: str, timeout_ms: int = 5000):
        self.uri = uri
        self.safe_uri = mask_uri_password(uri)
        self.client = AsyncMongoClient(
            uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms, tz_aware=True
        )
        self.db = self.client[dbname]
        # URLs a read has just found no article of: their write inserts rather than upserts (ArticleBatcher).
        self.absent: set[str] = set()
        # The analyses of every crawler of the process read and write through these, in batches.
        self.article_reader = ArticleReader(self.db, absent=self.absent, max_size=100, max_delay=0.02)
        # Only an article's stored analysis: whether an analysis made before the write is still current.
        self.analysis_reader = ArticleReader(
            self.db, projection={"analysis": 1}, absent=self.absent, max_size=100, max_delay=0.02
        )
        self.analysis_writer = AnalysisWriter(self.db, max_size=100, max_delay=0.05)

    @classmethod
    def from_settings(cls, settings) -> Store:
        return cls(*cls.location(settings))

    @staticmethod
    def location(settings) -> tuple[str, str, int]:
        """(uri, database, timeout in ms) the settings name."""
        try:
            uri = resolve_mongo_uri(settings)
        except OSError as exc:
            raise StoreUnavailable(f"cannot start the embedded database: {exc}") from exc
        return uri, database_name(settings, uri), config_for(settings).store.mongo_connect_timeout_ms

    async def open(self) -> Store:
        try:
            await self.client.admin.command("ping")
            await create_indexes(self.db)
        except StoreError as exc:
            raise StoreUnavailable(f"cannot reach MongoDB at {self.safe_uri}: {short_error(exc)}") from exc
        return self

    async def close(self) -> None:
        await self.article_reader.close()
        await self.analysis_reader.close()
        await self.analysis_writer.close()
        await self.client.close()


def sync_db(settings):
    """(client, database): a blocking handle for commands and tests that run outside the reactor."""
    uri = resolve_mongo_uri(settings)
    timeout = config_for(settings).store.mongo_connect_timeout_ms
    client = MongoClient(uri, serverSelectionTimeoutMS=timeout, tz_aware=True)
    return client, client[database_name(settings, uri)]


async def crawler_store(crawler) -> Store:
    """The Store of the crawler's settings, shared by its pipelines and extensions and by every other
    crawler of the process with the same database; opened on first use and closed when the last
    engine using it stops, after every spider_closed handler has had its turn."""
    # An AsyncMongoClient belongs to the loop it was made on, so the stores are the running loop's.
    shared = resources_of(crawler).on_this_loop
    # Pipelines open side by side: without the lock each would connect (and fail) on its own.
    async with shared.store_lock:
        store = getattr(crawler, "_newsbot_store", None)
        if store is not None:
            return store
        if getattr(crawler, "_newsbot_store_error", None):
            # Fail fast: one unreachable database is reported once, not once per component.
            raise StoreUnavailable(crawler._newsbot_store_error)
        try:
            location = Store.location(crawler.settings)
            key = tuple(location)
            entry = shared.stores.get(key)
            if entry is None:
                store = Store(*location)
                try:
                    await store.open()
                except StoreUnavailable:
                    await store.close()
                    raise
                entry = shared.stores[key] = [store, 0]
        except StoreUnavailable as exc:
            crawler._newsbot_store_error = str(exc)
            raise
        entry[1] += 1
        store = crawler._newsbot_store = entry[0]

    async def _release():
        entry[1] -= 1
        if entry[1] == 0 and shared.stores.get(key) is entry:
            del shared.stores[key]
            await store.close()

    from scrapy import signals

    crawler.signals.connect(_release, signal=signals.engine_stopped, weak=False)
    return store
