"""MongoDB access: which server, the embedded default, collections and indexes.

With MONGO_URI unset, newsbot runs SecantusDB (a MongoDB wire-protocol server on WiredTiger) as a
small daemon owned by NEWSBOT_DATA_DIR. WiredTiger allows one process per storage folder, so crawl
processes never open the folder themselves: the first one starts the daemon under a file lock and
records its port; every later process (a second `scrapy crawl`, scrapyd jobs) connects to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, MongoClient
from pymongo.errors import PyMongoError

from newsbot.urls import mask_uri_password

logger = logging.getLogger(__name__)

SERVER_STATE_FILE = "secantus.json"
SERVER_LOCK_FILE = "secantus.lock"
SERVER_START_TIMEOUT = 30.0


def short_error(exc: Exception) -> str:
    """pymongo's first clause, without the topology dump that follows it."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    for cut in (" (configured timeouts", ", Timeout:", ", Topology Description"):
        text = text.split(cut)[0]
    return mask_uri_password(text[:200])


class StoreUnavailable(RuntimeError):
    """The database cannot be reached; the message is one line and safe to print."""


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reaped(pid: int) -> bool:
    """True once our own child has exited: a zombie still answers kill(pid, 0), so reap it."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return False


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_state(data_dir: Path) -> dict | None:
    try:
        state = json.loads((data_dir / SERVER_STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if _pid_alive(int(state.get("pid", 0))) and _port_open(int(state.get("port", 0))):
        return state
    return None


def ensure_embedded_server(data_dir: str | os.PathLike) -> str:
    """Return the URI of the embedded server for data_dir, starting it if no process has yet."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / SERVER_LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = _read_state(data_dir)
            if state is None:
                state = _start_daemon(data_dir)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return f"mongodb://127.0.0.1:{state['port']}/?directConnection=true"


def _start_daemon(data_dir: Path) -> dict:
    port = _free_port()
    log = open(data_dir / "secantus.log", "ab")  # noqa: SIM115 - handed to the daemon, which outlives us
    cmd = [
        sys.executable,
        "-m",
        "secantus",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(data_dir / "db"),
        "--standalone",
        # Without it a crash of the daemon loses every write since the last checkpoint
        # (tests/crawl/test_db_outage.py); at newsbot's write rate the fsync costs nothing visible.
        "--sync-on-commit",
        "--log-level",
        "WARNING",
    ]
    # A session of its own: the daemon outlives this crawl and serves the next ones.
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StoreUnavailable(
                f"embedded database failed to start (exit {proc.returncode}); see {data_dir / 'secantus.log'}"
            )
        if _port_open(port):
            state = {"pid": proc.pid, "port": port, "started_at": time.time()}
            (data_dir / SERVER_STATE_FILE).write_text(json.dumps(state))
            logger.info("Started embedded database (SecantusDB) on port %d, data in %s", port, data_dir / "db")
            return state
        time.sleep(0.1)
    proc.kill()
    raise StoreUnavailable(f"embedded database did not open port {port} within {SERVER_START_TIMEOUT:.0f}s")


def stop_embedded_server(data_dir: str | os.PathLike) -> bool:
    """Stop the daemon of data_dir (tests, `make clean`); True if one was running."""
    data_dir = Path(data_dir).resolve()
    state = _read_state(data_dir)
    if not state:
        return False
    pid = int(state["pid"])
    # SIGTERM drains client connections first, and waits for ever on a client that never closes;
    # every commit is already on disk (--sync-on-commit), so after a grace period SIGKILL is safe.
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if _reaped(pid) or not _pid_alive(pid):
                (data_dir / SERVER_STATE_FILE).unlink(missing_ok=True)
                return True
            time.sleep(0.05)
    (data_dir / SERVER_STATE_FILE).unlink(missing_ok=True)
    return True


def resolve_mongo_uri(settings) -> str:
    """MONGO_URI from the environment (or a MONGO_URI setting, for tests), else the embedded server."""
    uri = os.environ.get("MONGO_URI") or settings.get("MONGO_URI")
    if uri:
        return uri
    return ensure_embedded_server(settings.get("NEWSBOT_DATA_DIR") or "./data")


def database_name(settings, uri: str) -> str:
    from pymongo.uri_parser import parse_uri

    try:
        parsed = parse_uri(uri)
    except Exception:  # a bad URI is reported by the ping, with the password masked
        parsed = {}
    return parsed.get("database") or settings.get("MONGO_DATABASE") or "newsbot"


async def create_indexes(db) -> None:
    await db.articles.create_index([("url", ASCENDING)], unique=True)
    await db.articles.create_index([("published_at", DESCENDING)])
    await db.articles.create_index([("source", ASCENDING), ("published_at", DESCENDING)])
    await db.runs.create_index([("source", ASCENDING), ("finished_at", DESCENDING)])
    await db.llm_cache.create_index([("key", ASCENDING)], unique=True)


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
        except StoreUnavailable:
            raise
        except OSError as exc:
            raise StoreUnavailable(f"cannot start the embedded database: {exc}") from exc
        return cls(uri, database_name(settings, uri), settings.getint("MONGO_CONNECT_TIMEOUT_MS", 5000))

    async def open(self) -> Store:
        try:
            await self.client.admin.command("ping")
            await create_indexes(self.db)
        except PyMongoError as exc:
            raise StoreUnavailable(f"cannot reach MongoDB at {self.safe_uri}: {short_error(exc)}") from exc
        return self

    async def close(self) -> None:
        await self.client.close()


def sync_db(settings):
    """A blocking handle for commands and tests that run outside the reactor."""
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


if __name__ == "__main__":  # python -m newsbot.store stop [DATA_DIR]
    if len(sys.argv) >= 2 and sys.argv[1] == "stop":
        folder = sys.argv[2] if len(sys.argv) > 2 else "./data"
        print("stopped" if stop_embedded_server(folder) else f"no embedded database running for {folder}")
    else:
        print("usage: python -m newsbot.store stop [DATA_DIR]", file=sys.stderr)
        sys.exit(2)
