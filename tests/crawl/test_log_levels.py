"""Log levels mean something: an article page that 404s while the item keeps its feed text is an
expected, handled outcome (a counted INFO line, one WARNING summary line per source), never an ERROR."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SNAPSHOT_DAY

pytestmark = pytest.mark.slow  # a real `scrapy crawl` process


def test_missing_article_pages_are_counted_with_one_warning_summary_line(scrapy_runner):
    done = scrapy_runner(
        "crawl",
        "qbitai",
        NEWSBOT_SNAPSHOT=str(SNAPSHOT_DAY),
        NEWSBOT_DATE="2026-02-04",
        NEWSBOT_ANALYZER="heuristic",
        NEWSBOT_REPORT_ON_CLOSE="False",
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stderr
    per_page = [line for line in log.splitlines() if "failed (http_404); keeping the feed text" in line]
    assert len(per_page) == 7, "the bundled day leaves 7 qbitai article pages unrecorded"
    assert all("] INFO: " in line for line in per_page)
    [summary] = [line for line in log.splitlines() if "article page(s) failed" in line]
    assert "WARNING: qbitai: 7 article page(s) failed (http_404: 7); their items keep the feed text" in summary
    assert "'newsbot/article/failed/http_404': 7" in log
    assert not re.search(r"\] (ERROR|CRITICAL): ", log), [x for x in log.splitlines() if "ERROR" in x]
