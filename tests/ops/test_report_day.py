"""A run counts for the report day it was made for, whenever it finished: a daily job that ends after
the 09:00 cutoff (or a replay of a past day run today) is not reported as a missing source."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SNAPSHOT_DAY

pytestmark = pytest.mark.slow  # real `scrapy crawl` and `scrapy report` processes

DAY = "2026-02-04"


def test_a_run_for_day_d_counts_for_d_whenever_it_finished(scrapy_runner, mongo_db, tmp_path):
    common = {"NEWSBOT_SNAPSHOT": str(SNAPSHOT_DAY), "NEWSBOT_ANALYZER": "heuristic"}
    # `-a date=D` is the documented spelling on `scrapy crawl`; the run finishes today, long after D's cutoff.
    crawl = scrapy_runner("crawl", "nvidia", "-a", f"date={DAY}", NEWSBOT_REPORT_ON_CLOSE="False", **common)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    [run] = list(mongo_db.runs.find())
    assert run["report_day"] == DAY and run["status"] == "ok"

    report = scrapy_runner("report", "--date", DAY, **common)
    assert report.returncode == 0, report.stderr[-3000:]
    stats = json.loads((tmp_path / "reports" / f"{DAY}.json").read_text(encoding="utf-8"))["stats"]
    assert stats["sources"]["nvidia"]["status"] == "ok"
    missing = {m["source"] for m in stats["missing_sources"]}
    assert "nvidia" not in missing and "36kr" in missing, "only the sources that did not run are missing"

    # The same run does not count for another day.
    other = scrapy_runner("report", "--date", "2026-02-05", "--allow-empty", **common)
    assert other.returncode == 0, other.stderr[-3000:]
    stats = json.loads((tmp_path / "reports" / "2026-02-05.json").read_text(encoding="utf-8"))["stats"]
    assert "nvidia" in {m["source"] for m in stats["missing_sources"]}
