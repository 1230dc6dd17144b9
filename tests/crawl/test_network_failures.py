"""Network failures (a refused connection, a host that does not resolve) are one line each on the
digest's screen, with no traceback, and are counted as fetch_errors, apart from parse errors: in the
digest's table, in `runs` and in `scrapy sources`. (A name under .invalid never resolves, RFC 6761.)"""

from __future__ import annotations

import socket
import uuid

import pytest
from pymongo import MongoClient

from tests.conftest import run_scrapy, scrapy_env

SOURCES = """
[[source]]
name = "refused"
display_name = "Refused"
feeds = ["http://127.0.0.1:{port}/feed.xml"]
lang = "en"

[[source]]
name = "nowhere"
display_name = "Nowhere"
feeds = ["http://feeds.newsbot.invalid/feed.xml"]
lang = "en"
"""


@pytest.fixture(scope="module")
def failed(mongo_uri, tmp_path_factory):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tmp_path_factory.mktemp("network")
    sources = folder / "sources.toml"
    sources.write_text(SOURCES.format(port=port), encoding="utf-8")
    name = f"t_{uuid.uuid4().hex[:12]}"
    settings = {
        "MONGO_DATABASE": name,
        "NEWSBOT_SOURCES_FILE": str(sources),
        "NEWSBOT_SOURCES": "refused,nowhere",
        "NEWSBOT_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
        "NEWSBOT_OUTPUT_DIR": str(folder / "reports"),
        "NEWSBOT_ANALYZER": "heuristic",
        "RETRY_TIMES": "1",
        "DOWNLOAD_TIMEOUT": "10",
        "TELNETCONSOLE_ENABLED": "False",
    }
    flags = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    env = scrapy_env(MONGO_URI=mongo_uri)
    digest = run_scrapy("digest", "--date", "2026-02-04", *flags, env=env)
    listing = run_scrapy("sources", *flags, env=env)
    client = MongoClient(mongo_uri, tz_aware=True)
    yield digest, listing, client[name], port
    client.drop_database(name)
    client.close()


def test_each_network_failure_is_one_line_without_a_traceback(failed):
    digest, _, _, port = failed
    output = digest.stdout + digest.stderr
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in output.splitlines() if "] ERROR: " in line]
    assert len(errors) == 2, "\n".join(errors)
    [refused] = [line for line in errors if f"127.0.0.1:{port}" in line]
    assert "ERROR: refused: feed" in refused and "Connection was refused" in refused
    [nowhere] = [line for line in errors if "feeds.newsbot.invalid" in line]
    assert "ERROR: nowhere: feed" in nowhere and "DNS lookup failed" in nowhere


def test_network_failures_are_fetch_errors_not_parse_errors(failed):
    digest, listing, db, _ = failed
    lines = digest.stdout.splitlines()
    header = next(line for line in lines if line.startswith("source ")).split()
    for name in ("refused", "nowhere"):
        row = dict(zip(header, next(line for line in lines if line.startswith(name + " ")).split(), strict=True))
        assert (row["status"], row["fetch_errors"], row["parse_errors"]) == ("error", "1", "0"), row
        run = db.runs.find_one({"source": name})
        assert (run["fetch_errors"], run["parse_errors"], run["counters"]["feed/fetch_error"]) == (1, 0, 1)

    assert listing.returncode == 0, listing.stderr[-3000:]
    table = listing.stdout.splitlines()
    columns = [c.strip() for c in table[0].split("  ") if c.strip()]
    assert columns[8:10] == ["FETCH ERR", "PARSE ERR"], columns
    for name in ("refused", "nowhere"):
        row = next(line for line in table if line.startswith(name + " "))
        # SOURCE NAME LAST-RUN(2 words) RUN SEEN NEW FAILED BLOCKED FETCH-ERR PARSE-ERR
        assert row.split()[9:11] == ["1", "0"], row
