"""The bundled day through the real engine: snapshot -> spiders -> pipelines -> the database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from pymongo import MongoClient

from newsbot.sources.catalog import SOURCES
from newsbot.storage.embedded import stop_embedded_server
from newsbot.text.urls import canonical_url
from tests.conftest import BUNDLED_SOURCES, ROOT, SNAPSHOT_DAY, expected_stored_per_source, run_scrapy, scrapy_env

# Every test here runs real `scrapy crawl` processes over the bundled day.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SNAPSHOT_DAY / "expected.json").exists(), reason="bundled snapshot missing"),
]


@pytest.fixture(scope="module")
def two_crawls(mongo_uri):
    db_name = "engine_day"
    client = MongoClient(mongo_uri, tz_aware=True)
    client.drop_database(db_name)
    env = scrapy_env(MONGO_URI=mongo_uri)
    args = ("digest", "--snapshot", str(SNAPSHOT_DAY), "--date", "2026-02-04", "-s", f"MONGO_DATABASE={db_name}")
    args += ("-s", "NEWSBOT_ANALYZER=heuristic", "-s", "NEWSBOT_REPORT_ENABLED=False")
    # The engine's INFO lines (spiders opened and closed) are read below; a digest's screen shows WARNING up.
    args += ("-s", "LOG_LEVEL=INFO")
    first = run_scrapy(*args, env=env)
    db = client[db_name]
    after_first = {d["url"]: d for d in db.articles.find({}, {"content": 0})}
    # The second digest crawls two sources at a time: the same articles, nothing lost or doubled.
    second = run_scrapy(*args, "-s", "NEWSBOT_CONCURRENT_SOURCES=2", env=env)
    after_second = {d["url"]: d for d in db.articles.find({}, {"content": 0})}
    yield first, second, after_first, after_second, db
    client.drop_database(db_name)


def test_both_crawls_succeed(two_crawls):
    first, second, *_ = two_crawls
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]


def test_digest_runs_at_most_the_configured_sources_at_once(two_crawls):
    _, second, *_ = two_crawls
    alive, most, opened = 0, 0, 0
    for line in second.stderr.splitlines():
        if "Spider opened" in line:
            alive, opened = alive + 1, opened + 1
            most = max(most, alive)
        elif "Spider closed (" in line:
            alive -= 1
    assert opened == len(BUNDLED_SOURCES) and most == 2


def test_item_count_per_source(two_crawls):
    _, _, stored, _, _ = two_crawls
    assert Counter(d["source"] for d in stored.values()) == expected_stored_per_source()


def test_no_url_stored_twice_and_all_canonical(two_crawls):
    *_, db = two_crawls
    urls = [d["url"] for d in db.articles.find({}, {"url": 1})]
    assert len(urls) == len(set(urls))
    assert all(u == canonical_url(u) and "f=rss" not in u for u in urls)
    assert any(idx.get("unique") and idx["key"] == [("url", 1)] for idx in db.articles.index_information().values())


def test_second_crawl_adds_nothing_and_keeps_first_seen(two_crawls):
    _, _, first, second, _ = two_crawls
    assert set(first) == set(second)
    for url, doc in second.items():
        assert doc["first_seen"] == first[url]["first_seen"]
        assert doc["last_seen"] > first[url]["last_seen"]


def test_every_stored_article_is_complete(two_crawls):
    _, _, stored, _, _ = two_crawls
    for doc in stored.values():
        assert doc["title"] and doc["source_name"] == SOURCES[doc["source"]].display_name
        assert doc["published_at"].tzinfo is not None
        assert doc["lang"] in {"zh", "en"}
        assert doc["paywalled"] is SOURCES[doc["source"]].paywalled


def test_concurrent_crawls_share_the_default_store(tmp_path):
    """Two `scrapy crawl` processes at once, MONGO_URI unset: one embedded daemon serves both."""
    data_dir = tmp_path / "data"
    env = scrapy_env()
    settings = ["-s", f"NEWSBOT_SNAPSHOT={SNAPSHOT_DAY}", "-s", f"NEWSBOT_DATA_DIR={data_dir}"]
    settings += ["-s", "NEWSBOT_ANALYZER=heuristic", "-s", "NEWSBOT_REPORT_ENABLED=False"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", name, *settings],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("36kr", "bloomberg")
    ]
    try:
        outputs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outputs]
        state = json.loads((data_dir / "secantus.json").read_text())
        client = MongoClient(f"mongodb://127.0.0.1:{state['port']}/?directConnection=true", tz_aware=True)
        counts = Counter(d["source"] for d in client.newsbot.articles.find({}, {"source": 1}))
        expected = expected_stored_per_source()
        assert counts == Counter({"36kr": expected["36kr"], "bloomberg": expected["bloomberg"]})
        assert client.newsbot.runs.count_documents({}) == 2
        client.close()
    finally:
        stop_embedded_server(data_dir)


def test_unreachable_database_exits_non_zero_with_one_masked_line(tmp_path):
    """MONGO_URI names a server nobody listens on: a clear error, no secret, exit code 1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again on exit: nothing listens there
    uri = f"mongodb://newsbot:hunter2secret@127.0.0.1:{port}/newsbot"
    result = run_scrapy(
        "crawl",
        "nvidia",
        "-s",
        f"NEWSBOT_SNAPSHOT={SNAPSHOT_DAY}",
        "-s",
        "MONGO_CONNECT_TIMEOUT_MS=1000",
        env=scrapy_env(MONGO_URI=uri),
    )
    assert result.returncode == 1
    assert "hunter2secret" not in result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("newsbot: error: cannot reach MongoDB at mongodb://newsbot:***@127.0.0.1:")
    assert "Traceback" not in result.stderr
