"""A feed that redirects back to itself, directly or through another address, is a feed error: it
used to vanish in Scrapy's duplicate filter and the run looked merely empty."""

from __future__ import annotations

import json

import pytest

from tests.mockserver import MockServer

pytestmark = pytest.mark.slow  # real `scrapy crawl` and `scrapy sources` processes


def test_feed_redirect_loop_is_a_counted_feed_error(scrapy_runner, mongo_db):
    with MockServer() as server:
        itself = server.add("/feed", "", status=302, headers={"Location": "/feed"})
        server.add("/ping", "", status=301, headers={"Location": "/pong"})
        server.add("/pong", "", status=302, headers={"Location": server.url("/ping")})
        result = scrapy_runner(
            "crawl",
            "qbitai",
            *server.feed_args(f"{itself},{server.url('/ping')}"),
            DOWNLOAD_DELAY="0",
            **server.allowed,
        )
    # Its only feeds failed: the crawl exits 1 (issue 20).
    assert result.returncode == 1, result.stderr[-3000:]
    assert "newsbot: error: no source produced a good feed (qbitai error)" in result.stderr
    # Each loop is noticed where it closes, before the address is asked for a second time.
    server.hits.pop("/robots.txt", None)
    assert server.hits == {"/feed": 1, "/ping": 1, "/pong": 1}
    errors = [line for line in result.stderr.splitlines() if "ERROR: qbitai: feed" in line]
    assert len(errors) == 2
    assert any(f"redirect loop: {itself} -> {itself}" in line for line in errors)
    assert any(
        "redirect loop: " + " -> ".join(server.url(p) for p in ("/ping", "/pong", "/ping")) in line for line in errors
    )

    run = mongo_db.runs.find_one({"source": "qbitai"})
    assert run["status"] == "error"
    assert run["errors"] == 2
    assert run["counters"]["feed/redirect_loop"] == 2 and run["counters"]["feed/error"] == 2

    health = scrapy_runner("sources", "--json", "--sources", "qbitai")
    assert health.returncode == 0, health.stderr[-2000:]
    qbitai = json.loads(health.stdout)["qbitai"]
    assert qbitai["last_run"]["status"] == "error" and qbitai["last_run"]["errors"] == 2
    assert qbitai["reason"] == "errors in the last run"
    table = scrapy_runner("sources", "--sources", "qbitai")
    [row] = [line for line in table.stdout.splitlines() if line.startswith("qbitai")]
    assert row.split()[4] == "error"
