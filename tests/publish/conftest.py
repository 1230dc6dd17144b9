"""A week in the store: the bundled day through the real digest, two more days rendered by
`scrapy report` from stored articles, and the site published before and after the third day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.conftest import SNAPSHOT_DAY, run_scrapy, scrapy_env
from tests.publish.days import day_three, day_two

SITE_URL = "https://news.example.org/ai/"
DAYS = ("2026-02-04", "2026-02-05", "2026-02-06")


@dataclass
class Week:
    db: object
    reports: Path
    site: Path
    runs: dict  # step name -> CompletedProcess


def scrapy_in(db_name: str, mongo_uri: str, *args: str):
    flags = ["-s", f"MONGO_DATABASE={db_name}", "-s", "TELNETCONSOLE_ENABLED=False", "-s", "NEWSBOT_ANALYZER=heuristic"]
    return run_scrapy(*args, *flags, env=scrapy_env(MONGO_URI=mongo_uri))


def ok(proc) -> None:
    assert proc.returncode == 0, f"{proc.args}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="session")
def week(mongo_uri, tmp_path_factory):
    db_name = f"t_{uuid.uuid4().hex[:12]}"
    base = tmp_path_factory.mktemp("week")
    reports, site = base / "reports", base / "site"
    client = MongoClient(mongo_uri, tz_aware=True)
    db = client[db_name]
    runs = {}

    def step(name, *args):
        runs[name] = scrapy_in(db_name, mongo_uri, *args)
        ok(runs[name])

    publish = ("publish", "--output-dir", str(site), "--site-url", SITE_URL)
    step("digest", "digest", "--snapshot", str(SNAPSHOT_DAY), "--date", DAYS[0], "--output-dir", str(reports))
    db.articles.insert_many(day_two())
    step("day2", "report", "--date", DAYS[1], "--output-dir", str(reports))
    step("publish1", *publish)
    db.articles.insert_many(day_three())
    step("day3", "report", "--date", DAYS[2], "--output-dir", str(reports))
    step("publish2", *publish)
    step("publish3", *publish)
    step("week", "report", "--week", "2026-W06", "--output-dir", str(reports))
    yield Week(db, reports, site, runs)
    client.drop_database(db_name)
    client.close()


def rewritten(proc) -> list[str]:
    return [line.removeprefix("rewrote ") for line in proc.stdout.splitlines() if line.startswith("rewrote ")]
