"""The desk's commands as an operator runs them: `scrapy report` keeps the day's edits in all four
formats, `--approve` marks the day, `--drop` removes its edits with it, and `scrapy desk` off loopback
without NEWSBOT_DESK_TOKEN refuses to start."""

from __future__ import annotations

import json

from newsbot.storage.edits import save_edit
from tests.report.factory import DAY, seed_like_day


def test_report_keeps_edits_then_approve_then_drop(mongo_db, scrapy_runner, tmp_path):
    mongo_db.articles.insert_many(seed_like_day())
    first = scrapy_runner("report", "--date", DAY, NEWSBOT_ANALYZER="heuristic")
    assert first.returncode == 0, first.stderr[-2000:]
    out = tmp_path / "reports"
    before = json.loads((out / f"{DAY}.json").read_text(encoding="utf-8"))
    dropped, edited = before["international"][0], before["international"][1]
    v = save_edit(mongo_db, DAY, dropped["url"], "drop", "duplicate", "ann", 0)
    save_edit(mongo_db, DAY, edited["url"], "summary", "编辑台改写的摘要。", "ann", v)

    approved = scrapy_runner("report", "--date", DAY, "--approve", NEWSBOT_ANALYZER="heuristic")
    assert approved.returncode == 0, approved.stderr[-2000:]
    assert "已批准" in approved.stdout
    after = json.loads((out / f"{DAY}.json").read_text(encoding="utf-8"))
    assert dropped["url"] not in [e["url"] for e in after["international"] + after["domestic"]]
    for fmt in ("txt", "md", "html", "json"):
        text = (out / f"{DAY}.{fmt}").read_text(encoding="utf-8")
        assert "编辑台改写的摘要" in text, fmt
        assert dropped["url"] not in text, fmt
    assert mongo_db.reports.find_one({"date": DAY})["status"] == "approved"

    gone = scrapy_runner("report", "--drop", DAY)
    assert gone.returncode == 0, gone.stderr[-2000:]
    assert mongo_db.edits.count_documents({"day": DAY}) == 0


def test_desk_off_loopback_without_token_refuses(scrapy_runner):
    env = {"NEWSBOT_DESK_TOKEN": ""}
    proc = scrapy_runner("desk", "--date", DAY, "--host", "0.0.0.0", "--port", "1", env_extra=env, timeout=60)
    assert proc.returncode == 2
    assert "NEWSBOT_DESK_TOKEN" in proc.stderr and "Traceback" not in proc.stderr
