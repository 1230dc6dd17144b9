"""The whole day on a real scrapyd: authentication on, deployed with scrapyd-client, every spider
scheduled through schedule.json (by `scrapy schedule`) replaying the bundled snapshot into one
shared MongoDB with concurrent jobs, then the report rendered once the last job has finished."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from newsbot.sources.catalog import SOURCES, load_sources
from tests.conftest import ROOT, SNAPSHOT_DAY, expected_stored_per_source, run_scrapy, scrapy_env
from tests.ops.conftest import LocalHTTPServer, free_port

pytestmark = pytest.mark.slow

USER, PASSWORD = "deployer", "scrapyd-itest-pw"
DAY = "2026-02-04"
BIN = Path(sys.executable).parent
REPORT_KEYS = {"date", "generated_at", "raw_count", "domestic", "international", "overview", "stats"}


class Scrapyd:
    def __init__(self, url: str):
        self.url = url
        self.client = httpx.Client(auth=(USER, PASSWORD), timeout=30)

    def get(self, endpoint: str, **params) -> dict:
        return self.client.get(self.url + endpoint, params=params).json()

    def post(self, endpoint: str, **data) -> dict:
        return self.client.post(self.url + endpoint, data=data).json()


def start_scrapyd(home: Path, mongo_uri: str, max_proc: int = 3):
    """A real scrapyd on 127.0.0.1 with auth and a fast poller, jobs sharing MONGO_URI: (process, node, log)."""
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "\n".join(
            [
                "[scrapyd]",
                "bind_address = 127.0.0.1",
                f"http_port = {port}",
                f"username = {USER}",
                f"password = {PASSWORD}",
                f"max_proc = {max_proc}",
                "poll_interval = 0.2",
                f"eggs_dir = {home / 'eggs'}",
                f"logs_dir = {home / 'logs'}",
                f"dbs_dir = {home / 'dbs'}",
                "items_dir =",
                "jobs_to_keep = 50",
                "finished_to_keep = 100",
            ]
        )
        + "\n"
    )
    # The jobs must import newsbot from the egg: no source tree on PYTHONPATH, and a working
    # directory without the project in it.
    env = {k: v for k, v in scrapy_env(MONGO_URI=mongo_uri).items() if not k.startswith("SCRAPYD_")}
    env["PYTHONPATH"] = ""
    env["HOME"] = str(home)  # no ~/.scrapyd.conf or ~/.scrapy.cfg from the machine
    log = open(home / "scrapyd.out", "wb")  # noqa: SIM115 - closed by stop_scrapyd, after the daemon
    proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=log, stderr=log)
    node = Scrapyd(f"http://127.0.0.1:{port}/")
    deadline = time.monotonic() + 30
    while True:
        try:
            if node.client.get(node.url + "daemonstatus.json").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"scrapyd did not start: {(home / 'scrapyd.out').read_text()[-2000:]}")
        time.sleep(0.1)
    return proc, node, log


def stop_scrapyd(proc, log) -> None:
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def deploy(url: str, xdg: Path, version: str) -> None:
    """scrapyd-deploy to `url` through a deploy target of the test's own, next to the project's
    [deploy] section, whose ${SCRAPYD_USERNAME}/${SCRAPYD_PASSWORD} supply the credentials."""
    (xdg / "scrapy.cfg").write_text(f"[deploy:itest]\nurl = {url}\nproject = newsbot\n")
    env = scrapy_env(XDG_CONFIG_HOME=str(xdg), SCRAPYD_USERNAME=USER, SCRAPYD_PASSWORD=PASSWORD)
    done = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "itest", "--version", version],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    # Every enabled built-in source is a spider of the egg, whatever this test run replays.
    assert answer["status"] == "ok" and answer["spiders"] == len(load_sources()), answer


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory, mongo_uri):
    home = tmp_path_factory.mktemp("scrapyd")
    proc, node, log = start_scrapyd(home, mongo_uri)
    yield node, home
    stop_scrapyd(proc, log)


@pytest.fixture(scope="module")
def deployed(scrapyd, tmp_path_factory):
    node, home = scrapyd
    deploy(node.url, tmp_path_factory.mktemp("xdg"), "itest1")
    return node, home


@pytest.fixture(scope="module")
def day(deployed, mongo_uri, tmp_path_factory):
    node, home = deployed
    db_name = "scrapyd_day"
    client = MongoClient(mongo_uri, tz_aware=True)
    client.drop_database(db_name)
    reports = tmp_path_factory.mktemp("reports")
    # A WeCom-style robot that takes the push once the report is rendered.
    chat = LocalHTTPServer(lambda request: (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})))
    env = scrapy_env(
        MONGO_URI=mongo_uri,
        SCRAPYD_USERNAME=USER,
        SCRAPYD_PASSWORD=PASSWORD,
        NEWSBOT_OPS_URL=f"{chat.url}/cgi-bin/webhook/send?key=itest-key",
    )
    started = time.monotonic()
    done = run_scrapy(
        "schedule",
        "--url",
        node.url,
        "--date",
        DAY,
        "-j",
        f"NEWSBOT_SNAPSHOT={SNAPSHOT_DAY}",
        "-j",
        "NEWSBOT_ANALYZER=heuristic",
        "-s",
        f"MONGO_DATABASE={db_name}",
        "-s",
        f"NEWSBOT_OUTPUT_DIR={reports}",
        "-s",
        "NEWSBOT_ANALYZER=heuristic",
        "-s",
        "NEWSBOT_SCHEDULE_POLL=0.5",
        "-s",
        'NEWSBOT_CHANNELS={"ops": {"type": "wecom"}}',
        env=env,
        timeout=600,
    )
    elapsed = time.monotonic() - started
    yield done, client[db_name], reports, node, home, elapsed, chat
    chat.close()
    client.drop_database(db_name)
    client.close()


def test_schedule_command_succeeds(day):
    done, *_, elapsed, _ = day
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.count("scheduled ") == len(SOURCES)
    assert "all jobs finished; rendering the report for 2026-02-04" in done.stdout
    print(f"scrapy schedule, 9 jobs + report: {elapsed:.1f}s")


def test_all_jobs_finished_cleanly(day):
    done, _, _, node, home, *_ = day
    jobs = node.get("listjobs.json", project="newsbot")
    assert jobs["status"] == "ok" and jobs["pending"] == [] and jobs["running"] == []
    ours = [j for j in jobs["finished"] if j["id"].startswith(f"{DAY}_")]
    assert sorted(j["spider"] for j in ours) == sorted(SOURCES)
    for job in ours:
        log = (home / "logs" / "newsbot" / job["spider"] / f"{job['id']}.log").read_text(encoding="utf-8")
        assert "'finish_reason': 'finished'" in log, f"{job['spider']}:\n{log[-2000:]}"
        assert "Traceback" not in log, f"{job['spider']}:\n{log[-3000:]}"
        assert "Replaying from snapshot" in log


def test_articles_of_every_source_are_in_mongodb(day):
    _, db, *_ = day
    stored = Counter(d["source"] for d in db.articles.find({}, {"source": 1}))
    assert stored == expected_stored_per_source()
    # Every article is judged except the ones stored only for the raw count (arXiv replacements).
    skipped = db.articles.count_documents({"skip_reason": {"$ne": ""}})
    assert skipped > 0
    assert db.articles.count_documents({"analysis": {"$exists": True}}) == sum(stored.values()) - skipped


def test_jobs_ran_concurrently_into_one_store(day):
    _, db, *_ = day
    runs = list(db.runs.find({}, {"source": 1, "started_at": 1, "finished_at": 1, "status": 1}))
    assert sorted(r["source"] for r in runs) == sorted(SOURCES)
    assert all(r["status"] == "ok" for r in runs), runs
    overlapping = [
        (a["source"], b["source"])
        for i, a in enumerate(runs)
        for b in runs[i + 1 :]
        if a["started_at"] < b["finished_at"] and b["started_at"] < a["finished_at"]
    ]
    assert overlapping, "max_proc=3, yet no two crawls overlapped"


def test_the_days_report_was_rendered(day):
    _, db, reports, *_ = day
    for fmt in ("txt", "md", "html", "json"):
        assert (reports / f"{DAY}.{fmt}").is_file(), fmt
    report = json.loads((reports / f"{DAY}.json").read_text(encoding="utf-8"))
    assert set(report) == REPORT_KEYS
    assert report["date"] == DAY and report["domestic"] and report["international"]
    # Every job finished today, long after the day's 09:00 cutoff: each still counts for the day it ran for.
    assert report["stats"]["missing_sources"] == [], report["stats"]["missing_sources"]
    assert {s["status"] for s in report["stats"]["sources"].values()} == {"ok"}
    for entry in report["domestic"] + report["international"]:
        assert db.articles.find_one({"url": entry["url"]}, {"_id": 1}), entry["url"]


def test_a_job_renders_the_report_from_the_egg(day, tmp_path):
    """A job with the report on close renders from inside the egg: templates and data are package
    data read through importlib.resources, not files next to the source tree."""
    _, db, reports, node, home, *_ = day
    answer = node.post(
        "schedule.json",
        project="newsbot",
        spider="nvidia",
        jobid="egg-report",
        setting=[
            f"NEWSBOT_SNAPSHOT={SNAPSHOT_DAY}",
            f"NEWSBOT_DATE={DAY}",
            f"MONGO_DATABASE={db.name}",
            f"NEWSBOT_OUTPUT_DIR={tmp_path}",
            "NEWSBOT_ANALYZER=heuristic",
        ],
    )
    assert answer["status"] == "ok", answer
    deadline = time.monotonic() + 120
    while node.get("status.json", job="egg-report").get("currstate") != "finished":
        assert time.monotonic() < deadline, "the report job did not finish"
        time.sleep(0.3)
    log = (home / "logs" / "newsbot" / "nvidia" / "egg-report.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log[-3000:]
    rendered = json.loads((tmp_path / f"{DAY}.json").read_text(encoding="utf-8"))
    local = json.loads((reports / f"{DAY}.json").read_text(encoding="utf-8"))
    assert [e["url"] for e in rendered["domestic"]] == [e["url"] for e in local["domestic"]]
    assert (tmp_path / f"{DAY}.html").read_text(encoding="utf-8").startswith("<!")
    [egg] = (home / "eggs" / "newsbot").glob("*.egg")
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
    assert {f"newsbot/report/templates/report.{f}.j2" for f in ("txt", "md", "html", "json")} <= names


def test_the_report_was_pushed_once(day):
    *_, chat = day
    contents = [r.json()["markdown"]["content"] for r in chat.requests]
    assert contents, "nothing was pushed"
    total = len(contents)
    labels = [f" ({i}/{total})" if total > 1 else "" for i in range(1, total + 1)]
    assert [c.split("\n", 1)[0] for c in contents] == [f"### AI每日动态 - {DAY}{label}" for label in labels]
    assert all(len(c.encode()) <= 4096 for c in contents)
    assert "今日总结" in contents[-1]
