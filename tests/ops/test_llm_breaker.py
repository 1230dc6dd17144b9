"""Issue 20, items 4 and 5, through the README's main command: at default settings it prints a short
screen (the per-source table and the report paths); with OPENAI_BASE_URL at a closed port the LLM
breaker trips once, the run finishes offline within twice the offline run's time without asking the dead
endpoint again, counts its fallbacks, stores the day as a draft that `scrapy publish` leaves out, and exits 1
unless NEWSBOT_LLM_FALLBACK_OK. `scrapy crawl` (its report on close) and `scrapy report` (its overview) do
the same."""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from dataclasses import dataclass

import pytest
from pymongo import MongoClient
from scrapy.utils.test import get_crawler

from newsbot.analysis.breaker import TRIP_AFTER
from newsbot.config import config_for
from newsbot.report.daily import publish_report
from newsbot.runs.stat_keys import RunSummary
from newsbot.text.window import report_window
from tests.conftest import BUNDLED_SOURCES, SNAPSHOT_DAY, run_scrapy, scrapy_env
from tests.ops.test_schedule import PASSWORD, USER, FakeScrapyd
from tests.report.conftest import day_settings

DAY = "2026-02-04"
SECRET = "sk-breaker-secret-123"
LLM_CONCURRENCY = config_for(get_crawler().settings).analysis.llm_concurrency
MAIN_COMMAND = ("digest", "--snapshot", str(SNAPSHOT_DAY), "--date", DAY)


@dataclass
class Run:
    proc: object
    seconds: float
    db: object
    out: object

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


DEAD_ENV = {
    "OPENAI_API_KEY": SECRET,
    "OPENAI_BASE_URL": f"http://someone:pa55word@127.0.0.1:{closed_port()}/v1?api-key=in-the-query",
}


def newsbot_errors(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("newsbot: error: ")]


@pytest.fixture(scope="module")
def client(mongo_uri):
    client = MongoClient(mongo_uri, tz_aware=True)
    yield client
    client.close()


@pytest.fixture(scope="module")
def digest_in(client, mongo_uri, tmp_path_factory):
    """digest(*flags, env=...) -> Run: the main command against a database and output folder of its own,
    at the console's default log level (no LOG_LEVEL given)."""
    made = []

    def digest(*flags: str, env: dict | None = None, command=MAIN_COMMAND) -> Run:
        name = f"t_{uuid.uuid4().hex[:12]}"
        made.append(name)
        out = tmp_path_factory.mktemp("reports")
        settings = {"MONGO_DATABASE": name, "NEWSBOT_OUTPUT_DIR": str(out), "TELNETCONSOLE_ENABLED": "False"}
        args = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
        started = time.monotonic()
        proc = run_scrapy(*command, *args, *flags, env=scrapy_env(MONGO_URI=mongo_uri, **(env or {})))
        return Run(proc, time.monotonic() - started, client[name], out)

    yield digest
    for name in made:
        client.drop_database(name)


@pytest.fixture(scope="module")
def runs(digest_in):
    """The offline digest and the one whose LLM endpoint is a closed port, one after the other, and the
    offline one again after it: the suite runs on both cores, so the dead run is timed against the
    slower of two offline runs around it rather than against one that may have had a core to itself."""
    offline = digest_in("-s", "NEWSBOT_ANALYZER=heuristic")
    dead = digest_in("-s", "NEWSBOT_ANALYZER=llm", env=DEAD_ENV)
    again = digest_in("-s", "NEWSBOT_ANALYZER=heuristic")
    offline.seconds = max(offline.seconds, again.seconds)
    return offline, dead


def test_the_main_command_prints_the_table_and_the_paths_only(runs):
    offline, _ = runs
    assert offline.proc.returncode == 0, offline.proc.stderr[-3000:]
    lines = offline.output.splitlines()
    assert len(lines) <= 40, "\n".join(lines)
    assert "Dumping Scrapy stats" not in offline.output and "Traceback" not in offline.output
    header = next(line for line in lines if line.startswith("source "))
    assert header.split()[7:9] == ["fetch_errors", "parse_errors"]
    assert [p for p in lines if p.startswith(str(offline.out))] == [
        str(offline.out / f"{DAY}.{ext}") for ext in ("txt", "md", "html", "json")
    ]
    # The stats left the console, not the record: every source's run keeps its counters.
    stored = list(offline.db.runs.find({}, {"source": 1, "counters": 1, "fetch_errors": 1}))
    assert len(stored) == len(BUNDLED_SOURCES) and all(r["counters"].get("feed/fetched") for r in stored)
    assert all(r["fetch_errors"] == 0 for r in stored)


def test_a_dead_endpoint_trips_the_breaker_once_and_the_run_goes_on_offline(runs):
    offline, dead = runs
    assert dead.proc.returncode == 1, dead.proc.stderr[-3000:]
    assert dead.seconds <= 2 * offline.seconds, (dead.seconds, offline.seconds)
    errors = [line for line in dead.output.splitlines() if "] ERROR: " in line]
    [line] = errors
    assert re.search(r"LLM endpoint http://127\.0\.0\.1:\d+/v1 \(model \S+\) failed \d+ times in a row", line), line
    assert "offline (heuristic fallback)" in line and "NEWSBOT_LLM_FALLBACK_OK" in line
    for secret in (SECRET, "pa55word", "someone", "in-the-query"):
        assert secret not in dead.output
    assert "Traceback" not in dead.output and len(dead.output.splitlines()) <= 40, dead.output

    # The fallbacks are counted in the stats and in the summary line, and agree.
    stored = list(dead.db.runs.find())
    fallbacks = sum(r["llm"]["fallbacks"] for r in stored)
    offline_ones = sum(r["llm"]["offline"] for r in stored)
    assert fallbacks > 0 and offline_ones > 0
    # Tripped once for the whole digest: only the calls made before it tripped, and those already in
    # flight then, waited on the dead endpoint; every other article went offline without asking.
    asked = fallbacks - offline_ones
    assert asked <= TRIP_AFTER + LLM_CONCURRENCY, (asked, fallbacks)
    assert all(r["llm"].get("breaker_tripped") == 1 for r in stored)
    summary = next(x for x in dead.proc.stdout.splitlines() if x.startswith(f"report {DAY}:"))
    assert f", {fallbacks} LLM fallbacks" in summary and "draft" in summary
    assert f"newsbot: error: the report of {DAY} is a draft" in dead.proc.stderr

    # Written and stored, but as a draft.
    assert (dead.out / f"{DAY}.json").is_file()
    assert dead.db.reports.find_one({"date": DAY})["status"] == "draft"


def test_publish_leaves_a_draft_day_out(runs, mongo_uri, tmp_path):
    _, dead = runs
    site = tmp_path / "site"
    args = ("publish", "--output-dir", str(site), "-s", f"MONGO_DATABASE={dead.db.name}")
    done = run_scrapy(*args, env=scrapy_env(MONGO_URI=mongo_uri))
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (site / DAY).exists()
    assert DAY not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("allowed", [False, True])
def test_only_an_allowed_fallback_publishes(runs, tmp_path, allowed):
    """The decision publish_report makes from the runs' stats (what the digest above passed it)."""
    offline, _ = runs
    settings = day_settings(NEWSBOT_LLM_FALLBACK_OK=allowed)
    tripped = RunSummary.from_stats("qbitai", {"newsbot/llm/fallbacks": 15, "newsbot/llm/breaker_tripped": 1})
    published = publish_report(settings, offline.db, report_window(settings), tmp_path, runs={"qbitai": tripped})
    assert (published.fallbacks, published.draft) == (15, not allowed)
    assert offline.db.reports.find_one({"date": DAY}).get("status") == (None if allowed else "draft")


@pytest.mark.parametrize("allowed", [False, True])
def test_a_crawl_whose_report_on_close_is_a_draft_exits_1(digest_in, http_server, allowed):
    """`scrapy crawl` of one source renders the day on close: a draft day fails it as it fails a digest,
    and is not pushed even when the crawl pushes on close."""
    hook = http_server(lambda r: (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})))
    crawl = ("crawl", "qbitai", "-a", f"date={DAY}", "-s", f"NEWSBOT_SNAPSHOT={SNAPSHOT_DAY}")
    flags = (
        "-s",
        "NEWSBOT_ANALYZER=llm",
        "-s",
        f"NEWSBOT_LLM_FALLBACK_OK={allowed}",
        "-s",
        "NEWSBOT_PUSH_ON_CLOSE=True",
    )
    flags += ("-s", "NEWSBOT_CHANNELS=" + json.dumps({"hook": {"type": "wecom"}}), "-s", "NEWSBOT_PUSH_RETRIES=0")
    run = digest_in(*flags, env={**DEAD_ENV, "NEWSBOT_HOOK_URL": f"{hook.url}/send?key=k"}, command=crawl)
    [stored] = list(run.db.runs.find())
    assert stored["llm"]["breaker_tripped"] == 1
    assert (run.out / f"{DAY}.json").is_file() and "Traceback" not in run.output
    if allowed:
        assert run.proc.returncode == 0, run.proc.stderr[-3000:]
        assert newsbot_errors(run.proc) == [] and run.db.reports.find_one({"date": DAY}).get("status") is None
        assert hook.requests, "the accepted offline report is pushed on close"
    else:
        assert run.proc.returncode == 1, run.proc.stderr[-3000:]
        assert newsbot_errors(run.proc) == [f"newsbot: error: the report of {DAY} is a draft (the LLM went down)"]
        assert run.db.reports.find_one({"date": DAY})["status"] == "draft"
        assert hook.requests == []


def test_report_against_a_dead_endpoint_trips_the_breaker_in_its_overview(runs, mongo_uri):
    """The dead digest's articles are all judged (offline), so `scrapy report` asks the LLM only for the
    overview: that call goes through the breaker too, and the re-rendered day stays a draft."""
    _, dead = runs
    settings = ("-s", f"MONGO_DATABASE={dead.db.name}", "-s", f"NEWSBOT_OUTPUT_DIR={dead.out}")
    args = ("report", "--date", DAY, "-s", "NEWSBOT_ANALYZER=llm", *settings)
    done = run_scrapy(*args, env=scrapy_env(MONGO_URI=mongo_uri, **DEAD_ENV))
    output = done.stdout + done.stderr
    assert done.returncode == 1, done.stderr[-3000:]
    [error] = [line for line in output.splitlines() if "] ERROR: " in line]
    assert re.search(r"LLM endpoint http://127\.0\.0\.1:\d+/v1 \(model \S+\) failed \d+ times in a row", error), error
    assert "] WARNING: " not in output and "Traceback" not in output, output[-3000:]
    assert newsbot_errors(done) == [f"newsbot: error: the report of {DAY} is a draft (the LLM went down)"]
    assert not any(secret in output for secret in (SECRET, "pa55word", "in-the-query"))
    assert dead.db.reports.find_one({"date": DAY})["status"] == "draft"


def test_schedule_fails_a_day_its_report_stores_as_a_draft(runs, http_server, mongo_uri):
    """`scrapy schedule` renders through a child `scrapy report --date D`: its exit code carries the draft.
    The fake scrapyd's job only records its run; the dead digest's stored articles are the day."""
    _, dead = runs
    node = FakeScrapyd(http_server, db=dead.db, spiders=["qbitai"])
    settings = {"MONGO_DATABASE": dead.db.name, "NEWSBOT_OUTPUT_DIR": str(dead.out), "NEWSBOT_ANALYZER": "llm"}
    settings |= {"NEWSBOT_SCHEDULE_POLL": "0.05", "TELNETCONSOLE_ENABLED": "False"}
    args = ["schedule", "--url", node.url, "--sources", "qbitai", "--date", DAY]
    args += [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    env = scrapy_env(MONGO_URI=mongo_uri, SCRAPYD_USERNAME=USER, SCRAPYD_PASSWORD=PASSWORD, **DEAD_ENV)
    done = run_scrapy(*args, env=env, timeout=120)
    assert [job["spider"] for job in node.scheduled] == ["qbitai"]
    assert f"rendering the report for {DAY}" in done.stdout
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert newsbot_errors(done) == [f"newsbot: error: the report of {DAY} is a draft (the LLM went down)"]
    assert dead.db.reports.find_one({"date": DAY})["status"] == "draft"
