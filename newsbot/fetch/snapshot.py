"""Offline replay: answer every request from a recorded snapshot folder, never from the network.

A snapshot is a folder with manifest.jsonl; each line is
{"url": ..., "status": 200, "headers": {"Content-Type": ...}, "body": "<path relative to the folder>"}.
Request and manifest URLs are compared after canonicalisation, so `?f=rss` or a fragment do not matter.
The middleware sits last before the download handler, so robots.txt, retries, stats and the
size cap all behave as they do live.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from newsbot.config import config_for
from newsbot.runs import stat_keys as keys
from newsbot.runtime.resources import resources_of
from newsbot.text.urls import canonical_url

logger = logging.getLogger(__name__)


class SnapshotError(ValueError):
    pass


class Snapshot:
    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        manifest = self.root / "manifest.jsonl"
        if not manifest.is_file():
            raise SnapshotError(f"no manifest.jsonl in snapshot folder {self.root}")
        self.entries: dict[str, dict] = {}
        for lineno, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                key = canonical_url(entry["url"])
            except (ValueError, KeyError) as exc:
                raise SnapshotError(f"{manifest}:{lineno}: bad manifest line ({exc})") from exc
            self.entries[key] = entry

    def lookup(self, url: str) -> dict | None:
        return self.entries.get(canonical_url(url))

    def body(self, entry: dict) -> bytes:
        path = (self.root / entry["body"]).resolve()
        if not path.is_relative_to(self.root):
            raise SnapshotError(f"snapshot body {entry['body']!r} points outside the snapshot")
        return path.read_bytes()


def load_snapshot(root: str | Path, cache: dict | None = None, kept: int = 4) -> Snapshot:
    """The snapshot at ROOT, read once per CACHE (the process's: newsbot.runtime.resources) while its
    manifest is unchanged: every crawler of a `scrapy digest` replays the same folder, and reading its
    manifest once per source made the replay of N sources cost N x N canonicalised URLs. At most KEPT
    folders stay in CACHE, the oldest leaving first."""
    if cache is None:
        cache = {}
    folder = Path(root).resolve()
    try:
        stat = (folder / "manifest.jsonl").stat()
    except OSError:
        return Snapshot(folder)  # raises SnapshotError, naming the folder
    version = (stat.st_mtime_ns, stat.st_size)
    cached = cache.get(folder)
    if cached is None or cached[0] != version:
        cache.pop(folder, None)
        while len(cache) >= max(1, kept):
            del cache[next(iter(cache))]
        cached = cache[folder] = (version, Snapshot(folder))
    return cached[1]


class SnapshotReplayMiddleware:
    def __init__(self, snapshot: Snapshot, stats, maxsize: int):
        self.snapshot = snapshot
        self.stats = stats
        self.maxsize = maxsize

    @classmethod
    def from_crawler(cls, crawler):
        crawl = config_for(crawler).crawl
        if not crawl.snapshot:
            raise NotConfigured
        mw = cls(resources_of(crawler).snapshot(crawl.snapshot), crawler.stats, crawl.download_maxsize)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider):
        logger.info("Replaying from snapshot %s (%d recorded URLs)", self.snapshot.root, len(self.snapshot.entries))

    def process_request(self, request, spider=None):
        entry = self.snapshot.lookup(request.url)
        if entry is None:
            # Counted (SNAPSHOT_MISSING); the spider's closing WARNING sums up the pages that failed.
            logger.info("Snapshot has no recording of %s: answering 404", request.url)
            self.stats.inc_value(keys.SNAPSHOT_MISSING)
            return self._response(request, 404, {"Content-Type": "text/plain"}, b"not in snapshot")
        body = self.snapshot.body(entry)
        maxsize = request.meta.get("download_maxsize", self.maxsize)
        if maxsize and len(body) > maxsize:
            # The same cap Scrapy's HTTP handler applies, so replay cannot accept what live would not.
            logger.error(
                "Cancelling %s: response size %d larger than download max size %d", request.url, len(body), maxsize
            )
            self.stats.inc_value(keys.DOWNLOAD_TOO_LARGE)
            raise IgnoreRequest(f"response too large: {len(body)} bytes")
        self.stats.inc_value(keys.SNAPSHOT_REPLAYED)
        return self._response(request, int(entry.get("status", 200)), entry.get("headers") or {}, body)

    @staticmethod
    def _response(request, status, headers, body):
        headers = Headers(headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(url=request.url, status=status, headers=headers, body=body, request=request, flags=["snapshot"])


class SnapshotRecordMiddleware:
    """Record every response of a live crawl into a snapshot folder (-s NEWSBOT_RECORD=DIR), so a
    real day can be replayed later, byte for byte, by NEWSBOT_SNAPSHOT.

    It sits after decompression and redirects: the body is stored decoded, and a redirected URL is
    recorded under every URL of its chain, so replay answers the original link directly."""

    def __init__(self, root: Path, stats):
        self.root = root
        self.stats = stats
        self.root.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_crawler(cls, crawler):
        crawl = config_for(crawler).crawl
        if not crawl.record:
            raise NotConfigured
        if crawl.snapshot:
            raise NotConfigured  # replaying: nothing new to record
        return cls(Path(crawl.record).resolve(), crawler.stats)

    def process_response(self, request, response, spider=None):
        key = canonical_url(response.url)
        name = hashlib.sha1(key.encode()).hexdigest()[:16]
        host = (urlsplit(key).hostname or "unknown").replace(":", "_")
        rel = Path("bodies") / host / name
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.root / rel).write_bytes(response.body)
        headers = {}
        if content_type := response.headers.get("Content-Type"):
            headers["Content-Type"] = content_type.decode("latin-1")
        urls = [*request.meta.get("redirect_urls", []), response.url]
        lines = "".join(
            json.dumps({"url": url, "status": response.status, "headers": headers, "body": str(rel)}) + "\n"
            for url in dict.fromkeys(urls)
        )
        # Several crawl processes may record into one folder: append whole lines under a lock.
        with open(self.root / "manifest.jsonl", "a", encoding="utf-8") as manifest:
            fcntl.flock(manifest, fcntl.LOCK_EX)
            manifest.write(lines)
            fcntl.flock(manifest, fcntl.LOCK_UN)
        self.stats.inc_value(keys.SNAPSHOT_RECORDED)
        return response
