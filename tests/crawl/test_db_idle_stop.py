"""The embedded database stops itself once no client has been connected for NEWSBOT_DB_IDLE_STOP
minutes, and stays up, shared, while any process uses it."""

from __future__ import annotations

import json
import time

import pytest
from pymongo import MongoClient

from newsbot.storage.embedded import ensure_embedded_server, stop_embedded_server
from tests.conftest import run_scrapy, scrapy_env

IDLE_MINUTES = 0.05  # 3 seconds


def state(data_dir):
    path = data_dir / "secantus.json"
    return json.loads(path.read_text()) if path.exists() else None


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_idle_daemon_stops_itself_but_not_while_a_client_is_connected(tmp_path):
    try:
        uri = ensure_embedded_server(tmp_path, idle_stop_minutes=IDLE_MINUTES)
        first = state(tmp_path)
        client = MongoClient(uri, serverSelectionTimeoutMS=5000)
        client.admin.command("ping")
        # Well past the idle time, with a client connected: still the same server.
        time.sleep(IDLE_MINUTES * 60 * 2.5)
        assert client.admin.command("ping")["ok"] == 1
        assert ensure_embedded_server(tmp_path, idle_stop_minutes=IDLE_MINUTES) == uri, "shared, not restarted"
        assert state(tmp_path) == first
        client.close()
        assert wait_until(lambda: state(tmp_path) is None), "no client any more: the daemon should stop"
        assert "stopping the embedded database after 0.05 idle minute(s)" in (tmp_path / "secantus.log").read_text(
            errors="replace"
        )
        # The next process simply starts a new one.
        again = ensure_embedded_server(tmp_path, idle_stop_minutes=IDLE_MINUTES)
        with MongoClient(again, serverSelectionTimeoutMS=5000) as fresh:
            assert fresh.admin.command("ping")["ok"] == 1
    finally:
        stop_embedded_server(tmp_path)


@pytest.mark.slow  # a real `scrapy digest` process
def test_digest_says_it_leaves_the_daemon_running_and_how_to_stop_it(tmp_path):
    data = tmp_path / "data"
    done = run_scrapy(
        "digest",
        "--sources",
        "nvidia",
        "--snapshot",
        "snapshots/2026-02-04",
        "--date",
        "2026-02-04",
        "-s",
        f"NEWSBOT_DATA_DIR={data}",
        "-s",
        f"NEWSBOT_OUTPUT_DIR={tmp_path / 'reports'}",
        "-s",
        "NEWSBOT_DB_IDLE_STOP=0.05",
        env=scrapy_env(),
        timeout=240,
    )
    try:
        assert done.returncode == 0, done.stderr[-3000:]
        [line] = [x for x in done.stderr.splitlines() if "is still running in the background" in x]
        assert f"data in {data.resolve()}" in line and "stops by itself after 0.05 idle minute(s)" in line
        assert line.endswith(f"-m newsbot.storage stop {data.resolve()}")
        assert wait_until(lambda: state(data) is None), "the daemon the digest started stops once idle"
    finally:
        stop_embedded_server(data)
