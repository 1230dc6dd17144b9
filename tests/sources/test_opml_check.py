"""`scrapy sources import/export` (OPML) and `scrapy sources check` on the bundled day."""

from __future__ import annotations

import tomllib

import pytest

from newsbot.sources.catalog import load_sources
from tests.conftest import SNAPSHOT_DAY

# Real scrapy processes.
pytestmark = pytest.mark.slow

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>my feeds</title></head>
  <body>
    <outline text="AI">
      <outline type="rss" text="Simon's Weblog" title="Simon's Weblog" xmlUrl="https://simonwillison.net/atom/everything/"/>
      <outline type="rss" text="机器之心" xmlUrl="https://www.jiqizhixin.com/rss" language="zh-cn"/>
      <outline type="rss" text="The Verge AI" xmlUrl="https://www.theverge.com/rss/ai-artificial-intelligence/index.xml"/>
      <outline type="rss" text="NVIDIA AI" xmlUrl="https://blogs.nvidia.com/other-feed/"/>
    </outline>
    <outline type="rss" text="Simon again" title="Simon's Weblog" xmlUrl="https://simonwillison.net/atom/other/"/>
    <outline text="a folder without a feed"/>
  </body>
</opml>
"""


def test_import_appends_entries_and_skips_duplicates(scrapy_runner, tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML, encoding="utf-8")
    target = tmp_path / "conf" / "sources.toml"
    first = scrapy_runner("sources", "import", str(opml), "--to", str(target))
    assert first.returncode == 0, first.stderr[-2000:]
    out = first.stdout
    assert "skipped The Verge AI: feed https://www.theverge.com/rss/ai-artificial-intelligence/index.xml" in out
    assert "skipped NVIDIA AI: a source named 'nvidia-ai'" not in out  # a new feed with a free name is added
    assert "skipped Simon's Weblog: a source named 'simon-s-weblog' already exists" in out
    entries = tomllib.loads(target.read_text(encoding="utf-8"))["source"]
    assert [e["name"] for e in entries] == ["simon-s-weblog", "jiqizhixin", "nvidia-ai"]
    assert entries[1] == {"name": "jiqizhixin", "display_name": "机器之心", "feeds": ["https://www.jiqizhixin.com/rss"],
                          "lang": "zh"}  # fmt: skip
    assert {"simon-s-weblog", "jiqizhixin", "36kr"} <= set(load_sources(str(target)))

    # Importing again adds nothing: every outline is a source now.
    again = scrapy_runner("sources", "import", str(opml), "-s", f"NEWSBOT_SOURCES_FILE={target}")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "0 source(s) added" in again.stdout and len(tomllib.loads(target.read_text())["source"]) == 3

    listed = scrapy_runner("list", NEWSBOT_SOURCES_FILE=str(target), NEWSBOT_SOURCES="")
    assert {"simon-s-weblog", "jiqizhixin", "nvidia-ai"} <= set(listed.stdout.split())


def test_import_refuses_what_is_not_opml(scrapy_runner, tmp_path):
    bad = tmp_path / "x.opml"
    bad.write_text("<html><body>not opml</body></html>")
    done = scrapy_runner("sources", "import", str(bad), "--to", str(tmp_path / "s.toml"))
    assert done.returncode == 1 and "not an OPML file" in done.stderr
    assert not (tmp_path / "s.toml").exists()


def test_check_a_partial_chinese_feed(scrapy_runner):
    done = scrapy_runner("sources", "check", "qbitai", NEWSBOT_SNAPSHOT=str(SNAPSHOT_DAY))
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "status   HTTP 200" in out and "entries  15" in out
    assert "language zh" in out and "text     partial" in out
    assert "dates    2026-02-0" in out
    entry = tomllib.loads(out.split("(NEWSBOT_SOURCES_FILE):\n", 1)[1])["source"][0]
    assert entry["name"] == "qbitai" and entry["full_text"] is True and entry["lang"] == "zh"


def test_check_a_url_with_full_text(scrapy_runner):
    url = "https://blogs.nvidia.com/feed/"
    done = scrapy_runner("sources", "check", url, NEWSBOT_SNAPSHOT=str(SNAPSHOT_DAY))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "language en" in done.stdout and "text     full" in done.stdout and "entries  6" in done.stdout
    entry = tomllib.loads(done.stdout.split("(NEWSBOT_SOURCES_FILE):\n", 1)[1])["source"][0]
    assert entry["feeds"] == [url] and entry["lang"] == "en" and "full_text" not in entry


def test_check_reports_a_missing_feed(scrapy_runner):
    done = scrapy_runner("sources", "check", "https://nowhere.example/feed", NEWSBOT_SNAPSHOT=str(SNAPSHOT_DAY))
    assert done.returncode == 1
    assert "status   HTTP 404" in done.stdout and "entries  0" in done.stdout
