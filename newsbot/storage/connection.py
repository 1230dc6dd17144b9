"""Which MongoDB server, and the connections to it.

MONGO_URI (environment, or a setting for tests) names a server; unset, the embedded SecantusDB
daemon of NEWSBOT_DATA_DIR is used (newsbot.storage.embedded). A crawl shares one async Store
across its pipelines and extensions (crawler_store); commands outside the reactor use sync_db.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from pymongo import AsyncMongoClient, MongoClient

from newsbot.storage.embedded import ensure_embedded_server, running_server
from newsbot.storage.errors import StoreError, StoreUnavailable, short_error
from newsbot.storage.indexes import create_indexes
from newsbot.urls import mask_uri_password


def resolve_mongo_uri(settings) -> str:
    """MONGO_URI from the environment (or a MONGO_URI setting, for tests), else the embedded server."""
    uri = os.environ.get("MONGO_URI") or settings.get("MONGO_URI")
    if uri:
        return uri
    idle = settings.getfloat("NEWSBOT_DB_IDLE_STOP", 10)
    return ensure_embedded_server(settings.get("NEWSBOT_DATA_DIR") or "./data", idle)


def embedded_server_running(settings) -> str | None:
    """The one line `scrapy digest` prints when it leaves the embedded database running, else None."""
    if os.environ.get("MONGO_URI") or settings.get("MONGO_URI"):
        return None
    data_dir = Path(settings.get("NEWSBOT_DATA_DIR") or "./data").resolve()
    if running_server(data_dir) is None:
        return None
    idle = settings.getfloat("NEWSBOT_DB_IDLE_STOP", 10)
    when = f"stops by itself after {idle:g} idle minute(s)" if idle > 0 else "runs until stopped"
    return (
        f"newsbot: the embedded database (data in {data_dir}) is still running in the background and {when}; "
        f"stop it now with: {sys.executable} -m newsbot.storage stop {data_dir}"
    )


def database_name(settings, uri: str) -> str:
    from pymongo.uri_parser import parse_uri

    try:
        parsed = parse_uri(uri)
    except Exception:  # a bad URI is reported by the ping, with the password masked
        parsed = {}
    return parsed.get("database") or settings.get("MONGO_DATABASE") or "newsbot"


class Store:
    """One async connection per crawler, created on the reactor's loop (AsyncMongoClient binds to it)."""

    def __init__(self, uri: str, dbname: str, timeout_ms: int = 5000):
        self.uri = uri
        self.safe_uri = mask_uri_password(uri)
        self.client = AsyncMongoClient(
            uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms, tz_aware=True
        )
        self.db = self.client[dbname]

    @classmethod
    def from_settings(cls, settings) -> Store:
        try:
            uri = resolve_mongo_uri(settings)
        except OSError as exc:
            raise StoreUnavailable(f"cannot start the embedded database: {exc}") from exc
        return cls(uri, database_name(settings, uri), settings.getint("MONGO_CONNECT_TIMEOUT_MS", 5000))

    async def open(self) -> Store:
        try:
            await self.client.admin.command("ping")
            await create_indexes(self.db)
        except StoreError as exc:
            raise StoreUnavailable(f"cannot reach MongoDB at {self.safe_uri}: {short_error(exc)}") from exc
        return self

    async def close(self) -> None:
        await self.client.close()


def sync_db(settings):
    """(client, database): a blocking handle for commands and tests that run outside the reactor."""
    uri = resolve_mongo_uri(settings)
    client = MongoClient(uri, serverSelectionTimeoutMS=settings.getint("MONGO_CONNECT_TIMEOUT_MS", 5000), tz_aware=True)
    return client, client[database_name(settings, uri)]


async def crawler_store(crawler) -> Store:
    """The crawler's one shared Store (pipelines and extensions), opened on first use and closed
    when the engine stops, after every spider_closed handler has had its turn."""
    # Pipelines open side by side: without the lock each would connect (and fail) on its own.
    lock = crawler.__dict__.setdefault("_newsbot_store_lock", asyncio.Lock())
    async with lock:
        store = getattr(crawler, "_newsbot_store", None)
        if store is not None:
            return store
        if getattr(crawler, "_newsbot_store_error", None):
            # Fail fast: one unreachable database is reported once, not once per component.
            raise StoreUnavailable(crawler._newsbot_store_error)
        try:
            store = await Store.from_settings(crawler.settings).open()
        except StoreUnavailable as exc:
            crawler._newsbot_store_error = str(exc)
            raise
        crawler._newsbot_store = store

    async def _close():
        await store.close()

    from scrapy import signals

    crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return store
