"""The stored archive read defensively: malformed `reports` documents (an impossible or far-future
date, a payload without generated_at, a section that is not a list, None among the memory records, a
`files` entry outside the output folder) are each skipped with one WARNING naming collection, id and
problem, counted, and `scrapy publish`, `scrapy report --week` and the next day's `scrapy report` go on
with the other days. What newsbot writes is checked against the same schema, and the commands' date
and week arguments are bounded: one line and exit 1, never a traceback."""

from __future__ import annotations

import copy
import json
import re
import socket
import sys
from datetime import UTC, datetime

import pytest
from pymongo.errors import AutoReconnect

from newsbot.commands import report_failed
from newsbot.storage.report_schema import InvalidReport, ReportDocument
from newsbot.storage.reports import save_report
from newsbot.text.window import report_window
from tests.conftest import run_scrapy, scrapy_env
from tests.report.conftest import day_settings
from tests.report.factory import seed_like_day

GOOD_DAY = "2026-02-04"
SECRET_TITLE = "A title only the stray JSON file holds"


def good_document(db, out) -> dict:
    """The 2026-02-04 document as newsbot writes it: the bundled-like day rendered in this process."""
    from newsbot.report.daily import publish_report

    db.articles.insert_many(seed_like_day())
    settings = day_settings()
    publish_report(settings, db, report_window(settings), out, now=datetime(2026, 2, 4, 0, 52, tzinfo=UTC))
    return db.reports.find_one({"date": GOOD_DAY}, {"_id": 0})


def variant(doc: dict, day: str, **changes) -> dict:
    out = copy.deepcopy(doc)
    out["date"] = day
    out["payload"]["date"] = day
    for path, value in changes.items():
        target = out
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        if value is None and last == "generated_at":
            del target[last]
        else:
            target[last] = value
    return out


@pytest.fixture
def archive(mongo_db, tmp_path):
    """One good day and, around it, one bad document for each case of issue 21, item 2."""
    good = good_document(mongo_db, tmp_path / "reports")
    stray = tmp_path / "elsewhere" / "2026-02-07.json"
    stray.parent.mkdir()
    secret = variant(good, "2026-02-07")["payload"]
    secret["international"][0]["title"] = SECRET_TITLE
    stray.write_text(json.dumps(secret), encoding="utf-8")
    without_payload = variant(good, "2026-02-07", files=[str(stray)])
    del without_payload["payload"]
    bad = {
        "2026-13-45": variant(good, "2026-13-45"),
        "9999-12-31": variant(good, "9999-12-31"),
        "2026-02-02": variant(good, "2026-02-02", payload__generated_at=None, generated_at=None),
        "2026-02-03": variant(good, "2026-02-03", entries=[None, *good["entries"]]),
        "2026-02-06": variant(good, "2026-02-06", payload__domestic="x"),
        "2026-02-07": without_payload,
    }
    ids = {day: mongo_db.reports.insert_one(doc).inserted_id for day, doc in bad.items()}
    return mongo_db, tmp_path, ids


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "WARNING: Skipped reports document" in line]


def assert_skipped_once_each(done, ids: dict, days: list[str]) -> None:
    """One WARNING per bad document the command met, naming collection, id and problem, and the count."""
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    warned = warnings_of(done.stderr)
    assert len(warned) == len(days), warned
    for day in days:
        line = next(w for w in warned if str(ids[day]) in w)
        assert re.search(rf"Skipped reports document {ids[day]} \(date '{re.escape(day)}'\): \S+: ", line), line
    assert f"skipped {len(days)} stored document(s) that fail their schema: reports " in done.stdout


def test_publish_week_and_the_next_day_skip_the_bad_documents(scrapy_runner, archive):
    db, tmp_path, ids = archive
    site = tmp_path / "site"
    published = scrapy_runner("publish", "--output-dir", str(site), NEWSBOT_ANALYZER="heuristic")
    assert published.returncode == 0, published.stderr[-3000:]
    assert_skipped_once_each(published, ids, ["2026-02-02", "2026-02-03", "2026-02-06", "2026-13-45", "9999-12-31"])
    assert "published 1 days and 1 weeks" in published.stdout
    assert (site / GOOD_DAY / "index.html").is_file()
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("20")) == [GOOD_DAY]
    # The document naming a JSON file outside the output folder: the file is not read, the day not shown.
    assert "outside the output folder" in published.stderr
    assert SECRET_TITLE not in "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.*") if p.is_file())

    week = scrapy_runner("report", "--week", "2026-W06", NEWSBOT_ANALYZER="heuristic")
    assert week.returncode == 0, week.stderr[-3000:]
    assert_skipped_once_each(week, ids, ["2026-02-02", "2026-02-03", "2026-02-06"])
    assert json.loads((tmp_path / "reports" / "2026-W06.json").read_text(encoding="utf-8"))["days"] == [GOOD_DAY]

    # The next day reads its memory window (2026-02-02 and -03 are bad, -04 good) and renders as usual.
    nxt = scrapy_runner("report", "--date", "2026-02-05", "--allow-empty", NEWSBOT_ANALYZER="heuristic")
    assert nxt.returncode == 0, nxt.stderr[-3000:]
    assert_skipped_once_each(nxt, ids, ["2026-02-02", "2026-02-03"])
    assert db.reports.find_one({"date": "2026-02-05"}) is not None


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--date", "0001-01-01"), "setting NEWSBOT_DATE=0001-01-01 is not valid: expected a report day between"),
        (("--date", "9999-12-31"), "setting NEWSBOT_DATE=9999-12-31 is not valid: expected a report day between"),
        (("--week", "9999-W52"), "--week: 9999-W52 does not start between 2000-01-01 and"),
        (("--week", "0001-W01"), "--week: 0001-W01 does not start between 2000-01-01 and"),
    ],
)
def test_dates_and_weeks_out_of_range_are_one_line(scrapy_runner, mongo_db, args, line):
    done = scrapy_runner("report", *args)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert [x for x in done.stderr.splitlines() if x.startswith("newsbot:")] == [
        next(x for x in done.stderr.splitlines() if x.startswith(f"newsbot: error: {line}"))
    ]
    assert mongo_db.reports.count_documents({}) == 0


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"date": "9999-12-31"}, "date: Value error, a report day between 2000-01-01 and"),
        ({"date": "2026-13-45"}, "date: Value error, a report day as YYYY-MM-DD, not '2026-13-45'"),
        ({"raw_count": "12"}, "raw_count: Input should be a valid integer"),
        ({"entries": [None]}, "entries.0: Input should be a valid dictionary"),
        ({"payload": {"date": GOOD_DAY, "domestic": "x"}}, "payload.generated_at: Field required"),
        ({"files": "/etc/passwd"}, "files: Input should be a valid list"),
    ],
)
def test_what_newsbot_writes_is_checked_first(mongo_db, tmp_path, change, problem):
    doc = {"date": GOOD_DAY, "generated_at": datetime.now(UTC), "entries": [], **change}
    with pytest.raises(InvalidReport) as caught:
        save_report(mongo_db, doc)
    assert problem in str(caught.value) and "\n" not in str(caught.value)
    assert mongo_db.reports.count_documents({}) == 0


def test_the_review_fields_of_later_issues_are_accepted(mongo_db, tmp_path):
    doc = good_document(mongo_db, tmp_path)
    doc.update(status="draft", approved_at=datetime.now(UTC), approved_by="editor", draft={"notes": "ok"})
    ReportDocument.model_validate(doc)
    doc["future_field"] = {"anything": 1}
    ReportDocument.model_validate(doc)
    with pytest.raises(ValueError, match="status"):
        ReportDocument.model_validate({**doc, "status": 3})


def test_publish_against_a_database_that_is_gone_is_one_line(tmp_path):
    # Nothing listens on the port: pymongo's error (a PyMongoError, as AutoReconnect is) after the timeout.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_scrapy(
        "publish", "--output-dir", str(tmp_path / "site"), "-s", "MONGO_CONNECT_TIMEOUT_MS=300",
        env=scrapy_env(MONGO_URI=f"mongodb://127.0.0.1:{port}/newsbot"),
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("newsbot:")]
    assert len(errors) == 1, done.stderr[-3000:]
    assert errors[0].startswith(f"newsbot: site not published: the database failed: 127.0.0.1:{port}: ")


def test_the_database_going_away_mid_command_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stderr", sys.stdout)
    report_failed(AutoReconnect("127.0.0.1:27017: connection refused, Timeout: 30s, Topology Description: <...>"))
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "newsbot: report not rendered: the database failed: 127.0.0.1:27017: connection refused"
    assert not any("Traceback" in line for line in lines)
