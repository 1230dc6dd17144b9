"""Shared fixtures: one embedded MongoDB-wire server for the session, a fresh database per test,
and a helper that runs real `scrapy` commands in a subprocess (a Twisted reactor runs once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from pymongo import MongoClient

from newsbot.sources.catalog import SOURCES, load_sources
from newsbot.storage.embedded import ensure_embedded_server, stop_embedded_server

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DAY = ROOT / "snapshots" / "2026-02-04"


def _bundled_sources() -> list[str]:
    """The sources the bundled day recorded, in sources.toml order."""
    feeds = set(json.loads((SNAPSHOT_DAY / "expected.json").read_text(encoding="utf-8"))["per_feed"])
    return [name for name, src in load_sources().items() if feeds & set(src.feeds)]


# End-to-end tests name the sources they replay: a source added to sources.toml (with no recording
# in the bundled day) changes no test that does not concern it. Subprocesses get the same list
# through the NEWSBOT_SOURCES setting (run_scrapy), this process through the registry.
BUNDLED_SOURCES = _bundled_sources()
SOURCES.replace({name: src for name, src in load_sources().items() if name in BUNDLED_SOURCES})


def authored_golden_rows() -> list[dict]:
    """The golden set's rows written here (its reference lines, naming real days' labels, left out)."""
    lines = (ROOT / "tests" / "data" / "golden.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [row for row in rows if "id" in row]


def expected_stored_per_source() -> Counter:
    """Articles each source should store from the bundled day, per the snapshot's own expected.json."""
    expected = json.loads((SNAPSHOT_DAY / "expected.json").read_text(encoding="utf-8"))
    feed_owner = {feed: name for name, src in SOURCES.items() for feed in src.feeds}
    counts = Counter()
    for feed, n in expected["per_feed"].items():
        counts[feed_owner[feed]] += n
    # arXiv replacements are not news, but they are stored (flagged with a skip_reason) like every feed item.
    return counts


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("mongo")
    uri = ensure_embedded_server(data_dir)
    yield uri
    stop_embedded_server(data_dir)


@pytest.fixture
def db_name():
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def mongo_db(mongo_uri, db_name):
    client = MongoClient(mongo_uri, tz_aware=True)
    yield client[db_name]
    client.drop_database(db_name)
    client.close()


def scrapy_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MONGO_URI", "SCRAPY_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def pinned_sources_flags() -> list[str]:
    return ["-s", f"NEWSBOT_SOURCES={','.join(BUNDLED_SOURCES)}"]


def run_scrapy(
    *args: str, env: dict | None = None, cwd: Path = ROOT, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run `scrapy ARGS` as an operator would, from the project folder; returns the finished process.
    The run sees only the bundled day's sources unless ARGS set NEWSBOT_SOURCES themselves."""
    if not any(str(a).startswith("NEWSBOT_SOURCES=") for a in args):
        args = (*args, *pinned_sources_flags())
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        env=env if env is not None else scrapy_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def scrapy_runner(mongo_uri, db_name, tmp_path):
    """run(*args, **settings) -> CompletedProcess, against this test's database and output folder."""

    def run(*args: str, env_extra: dict | None = None, timeout: float = 300, **settings) -> subprocess.CompletedProcess:
        base = {
            "MONGO_DATABASE": db_name,
            "NEWSBOT_OUTPUT_DIR": str(tmp_path / "reports"),
            "LOG_LEVEL": "INFO",
            "TELNETCONSOLE_ENABLED": "False",
        }
        base.update(settings)
        flags = [x for k, v in base.items() for x in ("-s", f"{k}={v}")]
        env = scrapy_env(MONGO_URI=mongo_uri, **(env_extra or {}))
        return run_scrapy(*args, *flags, env=env, timeout=timeout)

    return run


@pytest.fixture(autouse=True)
def closed_llm_breakers():
    """The LLM breaker is process-wide (newsbot.analysis.breaker): one test's dead endpoint must not
    send the next test, which may reuse the same fake server's URL, offline."""
    from newsbot.analysis.breaker import reset_breakers

    reset_breakers()
    yield
    reset_breakers()


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: the cores this process may use (its CPU affinity, which a container's limit sets, not
    the host's count), at most 4: each worker runs its own database server, Chromium and crawls."""
    return max(1, min(len(os.sched_getaffinity(0)), 4))
