"""Source health from fixture runs: broken after 2 bad runs in a row, 7-day counts, arXiv's quiet
weekends, and the `scrapy sources` table."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from newsbot.runs.health import alert_text, broken_sources, source_health

# A Wednesday, 01:00 UTC = 09:00 Asia/Shanghai.
NOW = datetime(2026, 2, 4, 1, 0, tzinfo=UTC)


def run(source: str, hours_ago: float, status: str = "ok", *, now: datetime = NOW, **fields) -> dict:
    finished = now - timedelta(hours=hours_ago)
    seen = 0 if status in ("empty", "blocked", "error") else 10
    doc = {
        "source": source,
        "started_at": finished - timedelta(seconds=30),
        "finished_at": finished,
        "duration_s": 30.0,
        "status": status,
        "items_seen": seen,
        "new": 4 if seen else 0,
        "stored": seen,
        "failed_pages": 0,
        "blocked": 1 if status == "blocked" else 0,
        "parse_errors": 0,
        "errors": 1 if status == "error" else 0,
    }
    doc.update(fields)
    return doc


def fixture_runs(now: datetime = NOW) -> list[dict]:
    return [
        # 36kr: fine, then two empty runs -> broken.
        run("36kr", 72, now=now),
        run("36kr", 48, "empty", now=now),
        run("36kr", 24, "empty", now=now),
        # qbitai: an error, then fine again -> ok.
        run("qbitai", 48, "error", now=now),
        run("qbitai", 24, now=now),
        # leiphone: one bad run -> failing, not yet broken.
        run("leiphone", 48, now=now),
        run("leiphone", 24, "empty", now=now),
        # ft: blocked twice -> broken, and said so.
        run("ft", 48, "blocked", now=now),
        run("ft", 24, "blocked", now=now),
        # bloomberg: an error, then nothing -> broken, mixed.
        run("bloomberg", 48, "error", now=now),
        run("bloomberg", 24, "empty", now=now),
        # theverge: items, but a feed errored both times -> broken.
        run("theverge", 48, errors=1, now=now),
        run("theverge", 24, errors=1, now=now),
        # nvidia: a run a day; the one 8 days ago is outside the 7-day counts.
        *(run("nvidia", 24 * d + 1, new=d, now=now) for d in range(9)),
        # cnbc: never ran.
    ]


def test_broken_after_two_bad_runs_in_a_row(mongo_db):
    mongo_db.runs.insert_many(fixture_runs())
    health = source_health(mongo_db, NOW)

    status = {name: h["status"] for name, h in health.items()}
    assert status == {
        "36kr": "broken",
        "qbitai": "ok",
        "leiphone": "failing",
        "bloomberg": "broken",
        "arxiv": "no-runs",
        "ft": "broken",
        "cnbc": "no-runs",
        "theverge": "broken",
        "nvidia": "ok",
    }
    assert health["36kr"]["reason"] == "no items in the last 2 runs"
    assert health["36kr"]["reason_zh"] == "连续 2 次运行无条目"
    assert health["36kr"]["since"] == NOW - timedelta(hours=48)
    assert health["ft"]["problem"] == "blocked" and health["ft"]["reason"] == "blocked in the last 2 runs"
    assert health["bloomberg"]["problem"] == "mixed"
    assert health["theverge"]["problem"] == "error"
    assert health["leiphone"]["reason"] == "no items in the last run"

    broken = broken_sources(health)
    assert [b["source"] for b in broken] == ["36kr", "bloomberg", "ft", "theverge"]
    json.dumps(broken)  # JSON-ready for the report's stats
    text = alert_text(broken, "2026-02-04")
    assert text.splitlines()[0] == "newsbot：4 个来源异常（2026-02-04）"
    assert "- Financial Times Tech（ft）：连续 2 次运行被拦截" in text.splitlines()


def test_seven_day_counts_per_local_day(mongo_db):
    mongo_db.runs.insert_many(fixture_runs())
    nvidia = source_health(mongo_db, NOW, ["nvidia"])["nvidia"]
    # Runs finished d days + 1 h before 09:00 Shanghai, so day d's run lands on local day -d.
    assert nvidia["days"] == [f"2026-01-{d}" for d in (29, 30, 31)] + [f"2026-02-0{d}" for d in (1, 2, 3, 4)]
    assert nvidia["daily_new"] == [6, 5, 4, 3, 2, 1, 0]
    assert nvidia["new_7d"] == 21 and nvidia["runs_7d"] == 7
    assert nvidia["last_run"]["new"] == 0 and nvidia["last_run"]["status"] == "ok"


def test_arxiv_empty_at_weekends_is_not_a_failure(mongo_db):
    # Tuesday 2026-02-10 09:00 Shanghai. A run at 08:00 Shanghai is at 19:00 the day before in New
    # York, where arXiv's feed is empty on Saturdays and Sundays.
    now = datetime(2026, 2, 10, 1, 0, tzinfo=UTC)
    friday, saturday, sunday, monday = 73, 49, 25, 1
    mongo_db.runs.insert_many(
        [
            run("arxiv", friday, now=now),
            run("arxiv", saturday, "empty", now=now),
            run("arxiv", sunday, "empty", now=now),
        ]
    )
    assert source_health(mongo_db, now, ["arxiv"])["arxiv"]["status"] == "ok"
    # An empty Monday counts; with Friday fine, it is one bad run.
    mongo_db.runs.insert_one(run("arxiv", monday, "empty", now=now))
    assert source_health(mongo_db, now, ["arxiv"])["arxiv"]["status"] == "failing"
    # An empty Friday as well: Friday and Monday are two bad runs in a row, the weekend skipped.
    mongo_db.runs.update_one(
        {"finished_at": now - timedelta(hours=friday)}, {"$set": {"items_seen": 0, "status": "empty"}}
    )
    health = source_health(mongo_db, now, ["arxiv"])["arxiv"]
    assert health["status"] == "broken" and health["streak"] == 2
    # Elsewhere an empty weekend is no excuse.
    mongo_db.runs.update_many({}, {"$set": {"source": "nvidia"}})
    assert source_health(mongo_db, now, ["nvidia"])["nvidia"]["streak"] == 4


@pytest.mark.slow  # a real `scrapy sources` process
def test_scrapy_sources_table(mongo_db, scrapy_runner):
    now = datetime.now(UTC)
    mongo_db.runs.insert_many(fixture_runs(now))

    done = scrapy_runner("sources")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].split()[:4] == ["SOURCE", "NAME", "LAST", "RUN"]
    rows = {line.split()[0]: line for line in lines[2:] if line.strip() and not line.startswith("4 broken")}
    assert set(rows) >= {"36kr", "ft", "cnbc", "nvidia", "arxiv"}
    assert "broken: no items in the last 2 runs" in rows["36kr"]
    assert "36氪" in rows["36kr"]
    assert "broken: blocked in the last 2 runs" in rows["ft"]
    assert "never" in rows["cnbc"] and "no-runs" in rows["cnbc"]
    assert "6 5 4 3 2 1 0" in rows["nvidia"]
    assert "4 broken: 36kr (no items in the last 2 runs), bloomberg" in done.stdout

    checked = scrapy_runner("sources", "--check", "--json", "--sources", "36kr,nvidia")
    assert checked.returncode == 1, "--check fails while a source is broken"
    data = json.loads(checked.stdout)
    assert set(data) == {"36kr", "nvidia"}
    assert data["36kr"]["broken"] and data["nvidia"]["new_7d"] == 21


def test_degraded_run_record_and_health():
    """Entries dropped for errors, or spider errors, make a run `degraded`; spider errors count as errors."""
    from zoneinfo import ZoneInfo

    from newsbot.commands.sources import health_table
    from newsbot.runs.stat_keys import RunSummary

    def run_summary(stats: dict) -> dict:
        return RunSummary.from_stats("qbitai", stats).as_doc()

    dropped = run_summary({"newsbot/feed/entries": 12, "newsbot/entry/dropped/bad_link": 3})
    assert (dropped["status"], dropped["entries_dropped"], dropped["dropped"], dropped["errors"]) == (
        "degraded",
        3,
        3,
        0,
    )
    crashed = run_summary({"newsbot/feed/entries": 12, "spider_exceptions/count": 2})
    assert (crashed["status"], crashed["spider_errors"], crashed["errors"]) == ("degraded", 2, 2)
    assert run_summary({"newsbot/feed/entries": 12})["status"] == "ok"
    # A 0-byte or non-feed body is a feed error: with nothing read, the run is an error, not empty.
    assert run_summary({"newsbot/feed/error": 1})["status"] == "error"

    health = source_health_of([run("qbitai", 1, "degraded", entries_dropped=3)])
    assert health["qbitai"]["status"] == "degraded"
    assert "3 entries dropped" in health["qbitai"]["reason"]
    table = health_table(health, ZoneInfo("Asia/Shanghai"))
    assert "degraded: 3 entries dropped" in table and "DROPPED" in table.splitlines()[0]
    erred = source_health_of(
        [run("qbitai", 1, "degraded", spider_errors=1, errors=1), run("qbitai", 2, "degraded", errors=1)]
    )
    assert erred["qbitai"]["status"] == "broken"


def source_health_of(runs: list[dict]) -> dict:
    from newsbot.runs.health import HealthConfig, assess

    return {"qbitai": assess("qbitai", runs, runs, NOW, HealthConfig())}


def test_a_source_without_a_successful_run_in_its_interval_is_overdue(mongo_db):
    mongo_db.runs.insert_many(fixture_runs())
    health = source_health(mongo_db, NOW)
    assert not health["nvidia"]["overdue"] and not health["qbitai"]["overdue"]
    assert health["cnbc"]["overdue"] and health["cnbc"]["overdue_reason"] == "no successful run on record"
    assert health["36kr"]["overdue"] and health["36kr"]["overdue_reason"] == "no successful run for 72h"


@pytest.mark.slow  # real `scrapy sources` processes
def test_sources_check_flags_a_job_that_dies_every_day(mongo_db, scrapy_runner):
    """Jobs that crash at start write no run: the source is not 'broken' (no bad runs), but overdue."""
    now = datetime.now(UTC)
    mongo_db.runs.insert_many([run("nvidia", 1, now=now), run("cnbc", 24 * 5, now=now)])
    fine = scrapy_runner("sources", "--check", "--sources", "nvidia")
    assert fine.returncode == 0, fine.stdout + fine.stderr[-2000:]
    flagged = scrapy_runner("sources", "--check", "--sources", "nvidia,cnbc,ft")
    assert flagged.returncode == 1
    [cnbc] = [line for line in flagged.stdout.splitlines() if line.startswith("cnbc ")]
    assert "overdue: no successful run for 120h" in cnbc
    assert (
        "2 overdue (no successful run in 26h): cnbc (no successful run for 120h), ft (no successful run on record)"
        in (flagged.stdout)
    )


def test_health_reads_back_only_as_far_as_it_needs(mongo_db):
    """Health reads a few latest runs first and goes back further only for a streak of bad runs; the
    result is the one the whole history gives (latest STREAK_LOOKBACK runs, every run of the window)."""
    from newsbot.runs.health import STREAK_LOOKBACK, HealthConfig, assess, window_start

    rng = random.Random(17)
    statuses = ["ok"] * 5 + ["empty", "error", "blocked", "degraded"]
    history = {}
    for name in ("36kr", "qbitai", "arxiv", "nvidia", "ft", "bloomberg"):
        hours, runs = 0.5, []
        for _ in range(rng.choice([1, 3, 6, 30, 80])):
            # Long streaks of one status, several runs a day, gaps of days.
            status = rng.choice(statuses) if rng.random() < 0.3 or not runs else runs[-1]["status"]
            runs.append(run(name, hours, status))
            hours += rng.choice([2, 6, 24, 72])
        history[name] = runs
    history["ft"] = [run("ft", 1 + 5 * i, "empty") for i in range(60)]  # broken for longer than the lookback
    # Erring for longer than the lookback, all inside the window, with good runs before.
    history["bloomberg"] = [run("bloomberg", 1 + 2 * i, "error" if i < 52 else "ok") for i in range(56)]
    mongo_db.runs.insert_many([r for runs in history.values() for r in runs])

    config = HealthConfig()
    start = window_start(NOW, config)
    health = source_health(mongo_db, NOW, list(history))
    for name, runs in history.items():
        newest_first = sorted(runs, key=lambda r: r["finished_at"], reverse=True)
        window = [r for r in runs if start <= r["finished_at"] <= NOW]
        expected = assess(name, newest_first[:STREAK_LOOKBACK], window, NOW, config)
        assert health[name] == expected, name
    assert health["ft"]["streak"] == health["bloomberg"]["streak"] == STREAK_LOOKBACK
