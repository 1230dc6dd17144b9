"""A robots.txt host that does not resolve is an ordinary network failure: `scrapy crawl` logs it in
one line, without Scrapy's traceback, and records the run. The feed's own request fails the same way
and is the one ERROR line; the robots.txt failure and Scrapy's "Gave up retrying" are INFO (issue 20). (Issue 21 met it with `localhost.`, which
resolves on some machines and not on others; a name under .invalid never does, RFC 6761.)"""

from __future__ import annotations

SOURCE = """
[[source]]
name = "dotted"
display_name = "Nowhere"
feeds = ["http://feeds.newsbot.invalid/feed.xml"]
lang = "en"
"""


def test_robots_txt_of_an_unresolvable_host_is_one_line(scrapy_runner, tmp_path, mongo_db):
    user = tmp_path / "mine.toml"
    user.write_text(SOURCE, encoding="utf-8")
    done = scrapy_runner(
        "crawl", "dotted", NEWSBOT_SOURCES_FILE=str(user), NEWSBOT_SOURCES="", NEWSBOT_REPORT_ENABLED="False",
        RETRY_TIMES="0", DOWNLOAD_TIMEOUT="10",
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    robots = [line for line in done.stderr.splitlines() if "[scrapy.downloadermiddlewares.robotstxt] INFO" in line]
    assert len(robots) == 1 and "http://feeds.newsbot.invalid/feed.xml" in robots[0], done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if "] ERROR: " in line]
    assert len(errors) == 1 and "dotted: feed http://feeds.newsbot.invalid/feed.xml failed: DNS" in errors[0], errors
    assert mongo_db.runs.count_documents({"source": "dotted"}) == 1
