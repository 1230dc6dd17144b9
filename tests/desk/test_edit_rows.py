"""Corrections become evaluation data (issue 22): `scrapy evalprompts --from-edits` turns the editors'
edits into labelled rows and prints the analyzer's figures on them, per day with --by-day."""

from __future__ import annotations

import json

from newsbot.analysis.editrows import expected_of, rows_from_edits
from newsbot.storage.edits import save_edit
from tests.report.factory import DAY, seed_like_day


def test_labels_of_corrections():
    assert expected_of({"drop": "not_ai"}) == {"ai_relevant": False}
    assert expected_of({"drop": "duplicate"}) == {}
    assert expected_of({"promote": True}) == {"ai_relevant": True, "importance": "medium"}
    assert expected_of({"promote": True, "importance": "high"}) == {"ai_relevant": True, "importance": "high"}
    assert expected_of({"importance": "low", "region": "domestic"}) == {
        "ai_relevant": True,
        "importance": "low",
        "region": "domestic",
    }
    assert expected_of({"summary": "改写"}) == {}


def test_evalprompts_from_edits(mongo_db, scrapy_runner):
    docs = seed_like_day()
    mongo_db.articles.insert_many(docs)
    urls = sorted(d["url"] for d in docs)
    v = save_edit(mongo_db, DAY, urls[0], "drop", "not_ai", "ann", 0)
    v = save_edit(mongo_db, DAY, urls[1], "promote", True, "ann", v)
    v = save_edit(mongo_db, DAY, urls[2], "region", "domestic", "ann", v)
    save_edit(mongo_db, "2026-02-05", urls[3], "importance", "high", "ann", v)
    save_edit(mongo_db, DAY, "https://gone.example/x", "importance", "high", "ann", v)
    rows = rows_from_edits(mongo_db)
    assert [r["url"] for r in rows] == [urls[0], urls[1], urls[2], urls[3]]
    assert [r["url"] for r in rows_from_edits(mongo_db, "2026-02-05")] == [urls[3]]

    proc = scrapy_runner("evalprompts", "--from-edits", "--analyzer", "heuristic", "--by-day")
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["dataset"] == "edits" and result["rows"] == 4
    assert set(result["by_day"]) == {DAY, "2026-02-05"}
    assert result["ai_relevant"]["rows"] == 3 or "accuracy" in result["ai_relevant"]

    none = scrapy_runner("evalprompts", "--from-edits", "--since", "2026-03-01", "--analyzer", "heuristic")
    assert none.returncode == 2 and "no editor's correction since 2026-03-01" in none.stderr
