"""Two scrapyd nodes on loopback sharing one MongoDB-protocol server, as docs/operations.md describes:
`scrapy schedule --url A --url B` of the bundled day stores every item once and renders (and pushes)
the report once; a node that is down is named, and the day runs on the other."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from pymongo import MongoClient

from newsbot.sources.catalog import SOURCES
from tests.conftest import expected_stored_per_source, run_scrapy, scrapy_env
from tests.ops.conftest import LocalHTTPServer, free_port
from tests.ops.test_scrapyd import PASSWORD, USER, deploy, start_scrapyd, stop_scrapyd

pytestmark = pytest.mark.slow

DAY = "2026-02-04"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, mongo_uri):
    started = []
    try:
        for name in ("node-a", "node-b"):
            home = tmp_path_factory.mktemp(name)
            proc, node, log = start_scrapyd(home, mongo_uri, max_proc=2)
            started.append((proc, node, log, home))
            deploy(node.url, tmp_path_factory.mktemp(f"xdg-{name}"), "itest-nodes")
        yield [(node, home) for _, node, _, home in started]
    finally:
        for proc, _, log, _ in started:
            stop_scrapyd(proc, log)


def schedule(mongo_uri, urls, *args, db_name, reports, chat=None):
    env = scrapy_env(MONGO_URI=mongo_uri, SCRAPYD_USERNAME=USER, SCRAPYD_PASSWORD=PASSWORD)
    settings = [f"MONGO_DATABASE={db_name}", f"NEWSBOT_OUTPUT_DIR={reports}", "NEWSBOT_SCHEDULE_POLL=0.5"]
    settings.append("NEWSBOT_ANALYZER=heuristic")
    if chat is not None:
        env["NEWSBOT_OPS_URL"] = f"{chat.url}/cgi-bin/webhook/send?key=nodes-key"
        settings.append('NEWSBOT_CHANNELS={"ops": {"type": "wecom"}}')
    flags = [x for url in urls for x in ("--url", url)]
    flags += [x for s in settings for x in ("-s", s)]
    # A relative snapshot path, as an operator types it in the project folder: resolved before the
    # jobs get it, since they run in each scrapyd's own working folder.
    flags += ["-j", "NEWSBOT_SNAPSHOT=snapshots/2026-02-04", "-j", "NEWSBOT_ANALYZER=heuristic"]
    return run_scrapy("schedule", "--date", DAY, *flags, *args, env=env, timeout=900)


def test_two_nodes_store_every_item_once_and_report_once(nodes, mongo_uri, tmp_path):
    db_name = "scrapyd_two_nodes"
    client = MongoClient(mongo_uri, tz_aware=True)
    client.drop_database(db_name)
    chat = LocalHTTPServer(lambda request: (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})))
    try:
        done = schedule(mongo_uri, [n.url for n, _ in nodes], db_name=db_name, reports=tmp_path, chat=chat)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        db = client[db_name]

        # The sources were spread over both nodes, and every job finished ok on the node it ran on.
        for node, _ in nodes:
            finished = [j for j in node.get("listjobs.json", project="newsbot")["finished"] if j["id"].startswith(DAY)]
            assert finished, f"no job ran on {node.url}"
        assert done.stdout.count(" ok in ") == len(SOURCES), done.stdout

        # Every item stored once, from one run per source.
        stored = Counter(d["source"] for d in db.articles.find({}, {"source": 1}))
        assert stored == expected_stored_per_source()
        urls = [d["url"] for d in db.articles.find({}, {"url": 1})]
        assert len(urls) == len(set(urls))
        runs = list(db.runs.find({}, {"source": 1, "job": 1, "report_day": 1}))
        assert sorted(r["source"] for r in runs) == sorted(SOURCES)
        assert {r["report_day"] for r in runs} == {DAY} and all(r["job"] for r in runs)

        # The report rendered once (one `reports` document, one push), with no source missing.
        assert done.stdout.count("all jobs finished; rendering the report") == 1
        assert db.reports.count_documents({"date": DAY}) == 1
        report = json.loads((tmp_path / f"{DAY}.json").read_text(encoding="utf-8"))
        assert report["stats"]["missing_sources"] == []
        heads = [r.json()["markdown"]["content"].split("\n", 1)[0] for r in chat.requests]
        total = len(heads)
        assert heads == [
            f"### AI每日动态 - {DAY}" + (f" ({i}/{total})" if total > 1 else "") for i in range(1, total + 1)
        ]
    finally:
        chat.close()
        client.drop_database(db_name)
        client.close()


def test_a_node_that_is_down_is_named_and_the_other_runs_the_day(nodes, mongo_uri, tmp_path):
    db_name = "scrapyd_node_down"
    client = MongoClient(mongo_uri, tz_aware=True)
    client.drop_database(db_name)
    dead = f"http://127.0.0.1:{free_port()}"
    (up, _), _ = nodes
    try:
        done = schedule(mongo_uri, [up.url, dead], "--sources", "nvidia,ft", db_name=db_name, reports=tmp_path)
        assert done.returncode == 1, "a node was down: the run is not a success"
        [line] = [x for x in done.stderr.splitlines() if dead in x]
        assert line.startswith(f"newsbot: error: cannot reach scrapyd at {dead}/")
        assert "nvidia ok in " in done.stdout and "ft ok in " in done.stdout
        assert Counter(d["source"] for d in client[db_name].articles.find({}, {"source": 1})) == Counter(
            {k: v for k, v in expected_stored_per_source().items() if k in ("nvidia", "ft")}
        )
        assert (tmp_path / f"{DAY}.json").is_file(), "the day is still rendered from what was stored"
    finally:
        client.drop_database(db_name)
        client.close()
