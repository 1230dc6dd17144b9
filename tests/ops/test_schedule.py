"""`scrapy schedule` against fake scrapyd nodes: scheduling, waiting, overlap and failures.
(The slow test in test_scrapyd.py runs it against a real scrapyd.)"""

from __future__ import annotations

import json
import socket
from collections import Counter

import pytest

from newsbot.sources.catalog import SOURCES
from tests.conftest import ROOT
from tests.ops.conftest import basic_auth

# Every test here runs a real `scrapy schedule` process.
pytestmark = pytest.mark.slow

USER, PASSWORD = "ops", "scrapyd-secret-pw"


CRASH_LOG = """2026-02-04 08:30:01 [scrapy.utils.log] INFO: Scrapy 2.13.3 started (bot: newsbot)
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/scrapy/crawler.py", line 154, in crawl
newsbot.fetch.snapshot.SnapshotError: no manifest.jsonl in snapshot folder /var/lib/scrapyd/snapshots/2026-02-04
"""


class FakeScrapyd:
    """scrapyd's JSON API, as far as `scrapy schedule` uses it. A scheduled job runs for
    `polls_to_finish` listjobs.json calls, then moves to finished. Given a database, a finishing job
    writes its run record there as a real job does, unless `outcomes` says it crashed ("crash":
    no record, a traceback in its log) or failed ("error": a record with status error)."""

    def __init__(
        self,
        http_server,
        *,
        project="newsbot",
        spiders=tuple(SOURCES),
        polls_to_finish=2,
        running=(),
        db=None,
        outcomes=None,
    ):
        self.db = db
        self.outcomes = dict(outcomes or {})
        self.project = project
        self.spiders = list(spiders)
        self.polls_to_finish = polls_to_finish
        self.scheduled: list[dict] = []
        self.running = [dict(job) for job in running]
        self.finished: list[dict] = []
        self.ages: dict[str, int] = {}
        self.server = http_server(self.handle)
        self.url = self.server.url

    def answer(self, data: dict, status: int = 200):
        return status, {"Content-Type": "application/json"}, json.dumps({"node_name": "fake", **data})

    def handle(self, request):
        if request.headers.get("Authorization") != basic_auth(USER, PASSWORD):
            return 401, {"WWW-Authenticate": 'Basic realm="scrapyd"'}, "Unauthorized"
        endpoint = request.path.strip("/")
        args = request.query if request.method == "GET" else request.form()
        project = (args.get("project") or [None])[0]
        if endpoint == "daemonstatus.json":
            return self.answer({"status": "ok", "pending": 0, "running": len(self.running), "finished": 0})
        if project is not None and project != self.project:
            return self.answer({"status": "error", "message": f"project '{project}' not found"})
        if endpoint == "listspiders.json":
            return self.answer({"status": "ok", "spiders": self.spiders})
        if endpoint == "schedule.json":
            job = {"id": args["jobid"][0], "spider": args["spider"][0], "settings": args.get("setting", [])}
            job["start_time"] = "2026-02-04 08:30:00.000000"
            self.scheduled.append(job)
            self.running.append(job)
            return self.answer({"status": "ok", "jobid": job["id"]})
        if endpoint == "listjobs.json":
            for job in list(self.running):
                self.ages[job["id"]] = self.ages.get(job["id"], 0) + 1
                if self.ages[job["id"]] > self.polls_to_finish:
                    self.running.remove(job)
                    log_url = f"/logs/{self.project}/{job['spider']}/{job['id']}.log"
                    self.finished.append({**job, "end_time": "2026-02-04 08:30:12.500000", "log_url": log_url})
                    self.record(job)
            return self.answer({"status": "ok", "pending": [], "running": self.running, "finished": self.finished})
        if endpoint.startswith("logs/"):
            spider = endpoint.split("/")[2]
            return 200, {"Content-Type": "text/plain"}, CRASH_LOG if self.outcomes.get(spider) == "crash" else "ok\n"
        return 404, {}, "no such resource"

    def record(self, job: dict) -> None:
        outcome = self.outcomes.get(job["spider"], "ok")
        if self.db is None or outcome == "crash":
            return
        seen = 0 if outcome == "error" else 12
        self.db.runs.insert_one(
            {
                "source": job["spider"],
                "job": job["id"],
                "status": "error" if outcome == "error" else "ok",
                "close_reason": "finished",
                "items_seen": seen,
                "stored": seen,
                "new": seen,
            }
        )


def schedule(scrapy_runner, *args, auth=(USER, PASSWORD)):
    env = {"SCRAPYD_USERNAME": auth[0], "SCRAPYD_PASSWORD": auth[1]} if auth else {}
    return scrapy_runner("schedule", *args, env_extra=env, NEWSBOT_SCHEDULE_POLL="0.05", timeout=60)


def test_schedules_every_source_round_robin_and_waits(http_server, scrapy_runner, db_name, mongo_db):
    nodes = [FakeScrapyd(http_server, db=mongo_db), FakeScrapyd(http_server, db=mongo_db)]
    done = schedule(
        scrapy_runner,
        "--url",
        f"{nodes[0].url},{nodes[1].url}",
        "--date",
        "2026-02-04",
        "-j",
        "NEWSBOT_ANALYZER=heuristic",
        "--no-report",
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]

    jobs = nodes[0].scheduled + nodes[1].scheduled
    assert Counter(j["spider"] for j in jobs) == Counter(list(SOURCES))
    assert len(nodes[0].scheduled) == 5 and len(nodes[1].scheduled) == 4
    for job in jobs:
        settings = dict(s.split("=", 1) for s in job["settings"])
        assert settings["NEWSBOT_REPORT_ON_CLOSE"] == "False"
        assert settings["NEWSBOT_DATE"] == "2026-02-04"
        assert settings["MONGO_DATABASE"] == db_name
        assert settings["NEWSBOT_DATA_DIR"].startswith("/")
        assert settings["NEWSBOT_ANALYZER"] == "heuristic"
        assert job["id"].startswith(f"2026-02-04_{job['spider']}_")
        assert f"{job['spider']} ok in 12.5s: 12 items seen, 12 stored, 12 new (ok)" in done.stdout
    assert not nodes[0].running and not nodes[1].running


def test_only_the_named_sources(http_server, scrapy_runner, mongo_db):
    node = FakeScrapyd(http_server, polls_to_finish=0, db=mongo_db)
    done = schedule(scrapy_runner, "--url", node.url, "--sources", "36kr,arxiv", "--no-report")
    assert done.returncode == 0, done.stderr[-2000:]
    assert [j["spider"] for j in node.scheduled] == ["36kr", "arxiv"]
    assert not any(s.startswith("NEWSBOT_DATE=") for s in node.scheduled[0]["settings"]), "live run: no fixed day"


def test_previous_day_still_running_is_not_doubled(http_server, scrapy_runner):
    busy = {"id": "2026-02-03_arxiv_1a2b3c4d", "spider": "arxiv", "start_time": "2026-02-03 08:30:00.123456"}
    node = FakeScrapyd(http_server, running=[busy], polls_to_finish=10**6)
    done = schedule(scrapy_runner, "--url", node.url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "previous run is still in progress" in done.stdout
    assert "arxiv running since 2026-02-03 08:30:00" in done.stdout
    assert node.scheduled == []
    assert not any(r.path.endswith("schedule.json") for r in node.server.requests)


def test_unreachable_scrapyd_exits_non_zero(scrapy_runner):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    done = schedule(scrapy_runner, "--url", f"http://127.0.0.1:{port}")
    assert done.returncode != 0
    assert f"newsbot: error: cannot reach scrapyd at http://127.0.0.1:{port}/" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_credentials_exit_non_zero_without_echoing_them(http_server, scrapy_runner):
    node = FakeScrapyd(http_server)
    done = schedule(scrapy_runner, "--url", node.url, auth=(USER, "not-the-password"))
    assert done.returncode == 1
    assert "refused the credentials (HTTP 401)" in done.stderr and "SCRAPYD_PASSWORD" in done.stderr
    assert "not-the-password" not in done.stdout + done.stderr


def test_project_not_deployed(http_server, scrapy_runner):
    node = FakeScrapyd(http_server, project="other")
    done = schedule(scrapy_runner, "--url", node.url)
    assert done.returncode == 1
    assert "project 'newsbot' not found; deploy it first with `scrapyd-deploy`" in done.stderr


def test_spider_missing_from_the_deployed_version(http_server, scrapy_runner):
    node = FakeScrapyd(http_server, spiders=[s for s in SOURCES if s != "nvidia"])
    done = schedule(scrapy_runner, "--url", node.url)
    assert done.returncode == 1 and "has no spider nvidia" in done.stderr
    assert node.scheduled == []


def test_crashed_and_failed_jobs_are_named_and_fail_the_run(http_server, scrapy_runner, mongo_db):
    """scrapyd lists a crashed job as finished like any other: the run record (or its absence) tells."""
    node = FakeScrapyd(http_server, db=mongo_db, polls_to_finish=0, outcomes={"nvidia": "crash", "ft": "error"})
    done = schedule(scrapy_runner, "--url", node.url, "--sources", "nvidia,ft,qbitai", "--no-report")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "qbitai ok" in done.stdout
    assert "nvidia ok" not in done.stdout and "ft ok" not in done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("newsbot: error: ")]
    [nvidia] = [line for line in errors if line.startswith("newsbot: error: nvidia failed")]
    assert "crashed before recording its run" in nvidia
    assert "SnapshotError: no manifest.jsonl in snapshot folder /var/lib/scrapyd/snapshots/2026-02-04" in nvidia
    [ft] = [line for line in errors if line.startswith("newsbot: error: ft failed")]
    assert "its feeds failed (0 items seen, 0 stored)" in ft
    assert errors[-1] == "newsbot: error: 2 job(s) failed: nvidia, ft"
    assert "Traceback" not in done.stderr


def test_relative_job_paths_are_resolved_where_the_command_runs(http_server, scrapy_runner, mongo_db):
    node = FakeScrapyd(http_server, db=mongo_db, polls_to_finish=0)
    done = schedule(
        scrapy_runner,
        "--url",
        node.url,
        "--sources",
        "nvidia",
        "-j",
        "NEWSBOT_SNAPSHOT=snapshots/2026-02-04",
        "--no-report",
    )
    assert done.returncode == 0, done.stderr
    settings = dict(s.split("=", 1) for s in node.scheduled[0]["settings"])
    assert settings["NEWSBOT_SNAPSHOT"] == str(ROOT / "snapshots" / "2026-02-04")


def test_a_bad_job_setting_is_refused_before_anything_is_scheduled(http_server, scrapy_runner, mongo_db):
    node = FakeScrapyd(http_server, db=mongo_db, polls_to_finish=0)
    done = schedule(scrapy_runner, "--url", node.url, "-j", "NEWSBOT_SNAPSHOT=no/such/day", "--no-report")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("newsbot: error: -j: setting NEWSBOT_SNAPSHOT=") and "manifest.jsonl" in line
    assert node.scheduled == []


def test_a_node_that_is_down_is_named_and_the_others_run_the_day(http_server, scrapy_runner, mongo_db):
    node = FakeScrapyd(http_server, db=mongo_db, polls_to_finish=0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    done = schedule(scrapy_runner, "--url", node.url, "--url", dead, "--sources", "36kr,arxiv", "--no-report")
    assert done.returncode == 1
    [line] = [x for x in done.stderr.splitlines() if dead in x]
    assert line.startswith(f"newsbot: error: cannot reach scrapyd at {dead}/")
    assert line.endswith("; the day runs on the other node(s)")
    assert [j["spider"] for j in node.scheduled] == ["36kr", "arxiv"]


def test_named_sources_are_the_only_ones_the_report_expects(http_server, scrapy_runner, mongo_db, tmp_path):
    node = FakeScrapyd(http_server, db=mongo_db)
    done = schedule(scrapy_runner, "--url", node.url, "--sources", "36kr,arxiv", "--date", "2026-02-04")
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    report = json.loads((tmp_path / "reports" / "2026-02-04.json").read_text(encoding="utf-8"))
    # The others were not scheduled, so the report does not list them as 未抓取.
    assert set(report["stats"]["sources"]) == {"36kr", "arxiv"}
    assert {m["source"] for m in report["stats"]["missing_sources"]} <= {"36kr", "arxiv"}


def test_a_day_whose_every_job_failed_renders_no_report(http_server, scrapy_runner, mongo_db, tmp_path):
    node = FakeScrapyd(http_server, db=mongo_db, outcomes={"nvidia": "error", "qbitai": "crash"})
    done = schedule(scrapy_runner, "--url", node.url, "--sources", "nvidia,qbitai", "--date", "2026-02-04")
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert (
        "newsbot: error: no source produced a good feed; no report written or stored for 2026-02-04"
        in done.stderr.splitlines()
    )
    assert "rendering the report" not in done.stdout
    assert not (tmp_path / "reports").exists() and mongo_db.reports.count_documents({}) == 0
