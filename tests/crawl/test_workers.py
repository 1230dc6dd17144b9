"""Worker processes (newsbot.runtime.workers): real processes over real pipes, driven by an asyncio loop."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from newsbot.runs import stat_keys as keys
from newsbot.runtime import workers
from newsbot.runtime.workers import Offload, WorkerCrashed, in_worker, worker_count
from tests.conftest import ROOT


# What the workers run: module-level, so that they pickle by name.
def where(value):
    return os.getpid(), in_worker(), value


def refuse(reason: str):
    raise ValueError(reason)


def log_twice(value):
    logging.getLogger("newsbot.tests.worker").warning("seen in the worker: %s", value)
    logging.getLogger("newsbot.tests.worker").debug("below the level")
    return value


def die_in_worker(value):
    if in_worker():
        os._exit(3)
    return value


def slow(value, seconds: float = 0.05):
    time.sleep(seconds)
    return value


# Each test's workers: its Offloads share this pool, which ends with the test.
POOL: list[workers.WorkerPool] = []


@pytest.fixture(autouse=True)
def fresh_pool():
    POOL.append(workers.WorkerPool())
    yield
    POOL.pop().close()


def run(coro):
    return asyncio.run(coro)


def offload(size: int = 1, level: int = logging.INFO) -> tuple[Offload, Counter]:
    """An Offload whose stats land in the Counter."""
    counted: Counter = Counter()
    return Offload(size, lambda key: counted.update([key]), level, POOL[-1]), counted


def test_calls_run_in_a_worker_process_and_come_back_in_order():
    job, _ = offload()

    async def main():
        return await asyncio.gather(*(job(where, n, here_if_busy=False) for n in range(20)))

    answers = run(main())
    pids = {pid for pid, _, _ in answers}
    assert pids and os.getpid() not in pids and len(pids) == 1
    assert all(worked for _, worked, _ in answers)
    assert [value for _, _, value in answers] == list(range(20))


def test_without_workers_everything_runs_here():
    job, _ = offload(size=0)
    assert run(job(where, "x")) == (os.getpid(), False, "x")


def test_a_stalled_worker_leaves_the_next_call_to_this_thread():
    job, _ = offload()

    async def main():
        await job(where, "started", here_if_busy=False)
        stuck = asyncio.ensure_future(job(slow, "long", 6 * workers.STALLED_AFTER, here_if_busy=False))
        await asyncio.sleep(0)
        burst = asyncio.ensure_future(job(where, "burst"))  # not stalled yet: it queues behind
        await asyncio.sleep(0)
        await asyncio.sleep(2 * workers.STALLED_AFTER)
        here = await job(where, "stalled")
        kept = asyncio.ensure_future(job(where, "kept", here_if_busy=False))
        await stuck
        return await burst, here, await kept

    burst, here, kept = run(main())
    assert burst[1] is True
    assert here[:2] == (os.getpid(), False)
    assert kept[1] is True


def test_exceptions_and_log_records_come_back_as_if_the_call_ran_here(caplog):
    job, _ = offload(level=logging.INFO)
    with caplog.at_level(logging.DEBUG, logger="newsbot.tests.worker"):
        with pytest.raises(ValueError, match="not a feed"):
            run(job(refuse, "not a feed", here_if_busy=False))
        assert run(job(log_twice, 7, here_if_busy=False)) == 7
    records = [r for r in caplog.records if r.name == "newsbot.tests.worker"]
    # Logged under the worker's logger name, message formatted; DEBUG stays below the worker's level.
    assert [(r.levelno, r.getMessage()) for r in records] == [(logging.WARNING, "seen in the worker: 7")]


def test_the_call_that_kills_its_worker_fails_alone(caplog):
    job, counted = offload()

    async def main():
        calls = [job(slow, "before", here_if_busy=False), job(die_in_worker, "x", here_if_busy=False)]
        calls += [job(slow, n, 0.01, here_if_busy=False) for n in range(3)]
        return await asyncio.gather(*calls, return_exceptions=True)

    before, killer, *after = run(main())
    assert before == "before" and after == [0, 1, 2]
    assert isinstance(killer, WorkerCrashed)
    # Run twice (once retried), then given up; each death logged with how the worker ended.
    assert counted == Counter({keys.WORKERS_RETRIED: 1, keys.WORKERS_FAILED: 1})
    deaths = [r.getMessage() for r in caplog.records if "worker process died" in r.getMessage()]
    assert deaths and all("exit status 3" in d for d in deaths)


def test_workers_that_cannot_start_leave_the_work_to_this_thread(monkeypatch, caplog):
    monkeypatch.setattr(workers, "WORKER_COMMAND", [sys.executable, "-c", "import sys; sys.exit(2)"])
    job, _ = offload()
    assert run(job(where, "x", here_if_busy=False)) == (os.getpid(), False, "x")
    assert any("do not start" in r.getMessage() for r in caplog.records)


def test_a_worker_ends_with_the_process_that_started_it(tmp_path):
    """Even a crawl killed with SIGKILL leaves no worker behind: its stdin closes with the crawl."""
    script = (
        "import asyncio, os, sys\n"
        "from newsbot.runtime.workers import Offload\n"
        "from tests.crawl.test_workers import where\n"
        "pid = asyncio.run(Offload(1)(where, 0, here_if_busy=False))[0]\n"
        "print(pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    worker = int(proc.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(worker):
        time.sleep(0.05)
    assert not _running(worker)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize(("setting", "expected"), [("0", 0), ("3", 3), (None, None), ("auto", None)])
def test_worker_count(setting, expected):
    cores = len(os.sched_getaffinity(0))
    auto = min(workers.MAX_WORKERS_AUTO, cores - 1)
    assert worker_count(setting) == (auto if expected is None else expected)


def parse_or_die(html: str, url: str):
    """A user's parser (sources file: parser = "tests.crawl.test_workers:parse_or_die") that a page
    kills: as a parser crashing in native code would."""
    if "KILL" in html and in_worker():
        os._exit(11)
    from newsbot.parsers.generic import parse_generic

    return parse_generic(html, url)


@pytest.mark.slow
def test_a_page_that_kills_its_worker_costs_only_its_own_text(scrapy_runner, mongo_db, tmp_path):
    """A real crawl: the item of the page that killed the worker (twice) keeps its feed text, counted and
    logged; every other page of the source is extracted as usual."""
    body = "<p>" + "The chip maker said its new accelerator doubles inference speed for large models. " * 8
    pages = {0: body, 1: body + " KILL</p>", 2: body}
    manifest, entries = [], []
    for i, text in pages.items():
        link = f"https://news.worker.example/a/{i}"
        entries.append(f"<item><title>Story {i}</title><link>{link}</link><description>Dek {i}</description>"
                       "<pubDate>Tue, 03 Feb 2026 10:00:00 +0000</pubDate></item>")  # fmt: skip
        (tmp_path / f"{i}.html").write_text(f"<html><body><article>{text}</article></body></html>")
        manifest.append({"url": link, "status": 200, "headers": {"Content-Type": "text/html"}, "body": f"{i}.html"})
    (tmp_path / "feed.xml").write_text(
        f'<rss version="2.0"><channel><title>W</title>{"".join(entries)}</channel></rss>'
    )
    manifest.append({"url": "https://news.worker.example/feed.xml", "status": 200,
                     "headers": {"Content-Type": "application/rss+xml"}, "body": "feed.xml"})  # fmt: skip
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(m) + "\n" for m in manifest))
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "workersite"\ndisplay_name = "W"\nfeeds = ["https://news.worker.example/feed.xml"]\n'
        'lang = "en"\nfull_text = true\nparser = "tests.crawl.test_workers:parse_or_die"\n'
    )
    proc = scrapy_runner(
        "crawl", "workersite", NEWSBOT_SOURCES_FILE=str(sources), NEWSBOT_SOURCES="", NEWSBOT_SNAPSHOT=str(tmp_path),
        NEWSBOT_WORKER_PROCESSES="1", NEWSBOT_ANALYZER="heuristic", NEWSBOT_REPORT_ENABLED="False",
        NEWSBOT_PARSER_PACKAGES="tests.crawl",  # the allow-list: a user parser outside newsbot.parsers
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    stored = {d["url"].rsplit("/", 1)[1]: d for d in mongo_db.articles.find()}
    assert {k: d["content_source"] for k, d in stored.items()} == {"0": "article", "1": "feed-fallback", "2": "article"}
    assert stored["1"]["content"] == "Dek 1" and "analysis" in stored["1"]
    counters = mongo_db.runs.find_one({"source": "workersite"})["counters"]
    assert counters["article/failed/worker_crashed"] == 1
    assert counters["workers/retried"] == 1 and counters["workers/failed"] == 1
    assert "could not extract article https://news.worker.example/a/1 (a worker process died twice" in proc.stderr
    assert proc.stderr.count("A worker process died (exit status 11)") == 2
