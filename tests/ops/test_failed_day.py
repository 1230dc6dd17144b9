"""A failed day is never published, and every command says what happened in its exit code (issue 20):
a run where no source read a feed exits 1 and leaves an earlier report of its day alone; an empty
feed is a good one; `crawl` of a failing or disabled source exits 1 in one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, scrapy_env
from tests.mockserver import MockServer

DAY = "2026-03-02"
EMPTY_RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'


def sources_file(tmp_path, server: MockServer, feeds: dict[str, str], disabled=(), extra: str = "") -> str:
    """A sources file with one source per FEEDS entry (name -> path on SERVER, and EXTRA lines), and
    the DISABLED built-ins."""
    blocks = [
        f'[[source]]\nname = "{name}"\ndisplay_name = "{name.title()}"\nfeeds = ["{server.url(path)}"]\nlang = "en"\n'
        + extra
        for name, path in feeds.items()
    ]
    blocks += [f'[[source]]\nname = "{name}"\nenabled = false\n' for name in disabled]
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(blocks), encoding="utf-8")
    return str(path)


def errors(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("newsbot: error: ")]


@pytest.fixture
def server():
    with MockServer() as s:
        s.add("/broken.xml", "gone", status=500, headers={"Content-Type": "text/plain"})
        s.add("/html.xml", "<html><body><p>Not a feed</p></body></html>")
        s.add("/empty.xml", EMPTY_RSS, headers={"Content-Type": "application/rss+xml"})
        yield s


@pytest.mark.slow  # real `scrapy digest` and `scrapy crawl` processes
def test_a_day_whose_every_feed_failed_is_not_published(scrapy_runner, server, tmp_path, mongo_db, http_server):
    reports = tmp_path / "reports"
    reports.mkdir()
    # An earlier good report of the day: its file and its document stay as they were.
    (reports / f"{DAY}.txt").write_text("the earlier report\n", encoding="utf-8")
    mongo_db.reports.insert_one({"date": DAY, "marker": "earlier"})
    hook = http_server(lambda r: (200, {}, json.dumps({"errcode": 0, "errmsg": "ok"})))
    common = {
        "NEWSBOT_SOURCES_FILE": sources_file(tmp_path, server, {"alpha": "/broken.xml", "beta": "/html.xml"}),
        "NEWSBOT_SOURCES": "alpha,beta",
        "NEWSBOT_ANALYZER": "heuristic",
        "RETRY_TIMES": "0",
        **server.allowed,
    }
    done = scrapy_runner(
        "digest", "--date", DAY, NEWSBOT_CHANNELS=json.dumps({"hook": {"type": "wecom"}}), NEWSBOT_PUSH_RETRIES="0",
        env_extra={"NEWSBOT_HOOK_URL": f"{hook.url}/send?key=k"}, **common,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-3000:]
    [line] = errors(done)
    assert "no source produced a good feed (alpha error, beta error)" in line
    assert f"no report written or stored for {DAY}" in line
    assert sorted(p.name for p in reports.iterdir()) == [f"{DAY}.txt"]
    assert (reports / f"{DAY}.txt").read_text(encoding="utf-8") == "the earlier report\n"
    assert [d.get("marker") for d in mongo_db.reports.find()] == ["earlier"]
    assert {r["source"]: r["status"] for r in mongo_db.runs.find()} == {"alpha": "error", "beta": "error"}
    # The channel hears of it in one line, and gets no report.
    [pushed] = hook.requests
    heading, *lines = [x for x in pushed.json()["markdown"]["content"].splitlines() if x.strip()]
    assert heading == "### newsbot 告警"
    assert lines == [f"newsbot：{DAY} 日报未生成：2 个来源都没有取得可用的 feed"]

    # `scrapy crawl` of one failing source: exit 1, and its report on close is not written.
    crawl = scrapy_runner("crawl", "alpha", "-a", f"date={DAY}", **common)
    assert crawl.returncode == 1, crawl.stderr[-3000:]
    [line] = errors(crawl)
    assert "no source produced a good feed (alpha error)" in line
    assert sorted(p.name for p in reports.iterdir()) == [f"{DAY}.txt"]


@pytest.mark.slow  # a real `scrapy digest` process
def test_an_empty_feed_is_a_good_one_and_sources_narrow_the_day(scrapy_runner, server, tmp_path):
    common = {
        "NEWSBOT_SOURCES_FILE": sources_file(tmp_path, server, {"alpha": "/broken.xml", "quiet": "/empty.xml"}),
        "NEWSBOT_ANALYZER": "heuristic",
        "RETRY_TIMES": "0",
        **server.allowed,
    }
    # --sources narrows the run as NEWSBOT_SOURCES does (the runner sets that to the bundled day's sources).
    done = scrapy_runner("digest", "--date", DAY, "--sources", "alpha,quiet", **common)
    assert done.returncode == 0, done.stderr[-3000:]
    assert errors(done) == []
    report = json.loads((tmp_path / "reports" / f"{DAY}.json").read_text(encoding="utf-8"))
    assert set(report["stats"]["sources"]) == {"alpha", "quiet"}
    assert {m["source"] for m in report["stats"]["missing_sources"]} <= {"alpha", "quiet"}
    assert report["stats"]["sources"]["quiet"]["status"] == "empty"
    assert report["stats"]["sources"]["alpha"]["status"] == "error"


@pytest.mark.slow  # real `scrapy crawl`, `digest` and `schedule` processes, each stopping at its options
def test_a_disabled_source_is_named_disabled_in_one_line(scrapy_runner, server, tmp_path):
    common = {
        "NEWSBOT_SOURCES_FILE": sources_file(tmp_path, server, {"quiet": "/empty.xml"}, disabled=["nvidia"]),
        "NEWSBOT_SOURCES": "",
    }
    for args in (["crawl", "nvidia"], ["digest", "--sources", "quiet,nvidia"], ["schedule", "--sources", "nvidia"]):
        done = scrapy_runner(*args, **common)
        assert done.returncode == 1, (args, done.stderr[-3000:])
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        [line] = errors(done)
        assert "nvidia disabled" in line and "unknown" not in line, line
    unknown = scrapy_runner("crawl", "nosuch", **common)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr, unknown.stderr[-3000:]
    assert "no source is named nosuch" in errors(unknown)[0]
    left_out = scrapy_runner("crawl", "36kr", **{**common, "NEWSBOT_SOURCES": "quiet"})
    assert left_out.returncode == 1 and errors(left_out) == ["newsbot: error: source(s) 36kr not in NEWSBOT_SOURCES"]


def rss(server: MockServer, paths) -> str:
    items = "".join(
        f"<item><title>Model release number {n}</title><link>{server.url(p)}</link>"
        f"<pubDate>Sun, 01 Mar 2026 1{n}:00:00 +0000</pubDate><description>A new model came out.</description></item>"
        for n, p in enumerate(paths, 1)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>{items}</channel></rss>'


ARTICLE_PAGE = (
    "<html><body><article><p>" + "The lab released a new open model for coding. " * 30 + "</p></article></body></html>"
)


@pytest.mark.slow  # a real `scrapy digest` process, stopped by SIGTERM, then run again
def test_an_interrupted_digest_exits_3_and_the_next_run_finishes_the_day(mongo_uri, db_name, mongo_db, tmp_path):
    reports = tmp_path / "reports"
    with MockServer() as server:
        pages = ["/a1.html", "/a2.html"]
        server.add("/slow.xml", rss(server, pages), headers={"Content-Type": "application/rss+xml"})
        for page in pages:
            server.add(page, ARTICLE_PAGE, delay=4)
        settings = {
            "MONGO_DATABASE": db_name,
            "NEWSBOT_OUTPUT_DIR": str(reports),
            "TELNETCONSOLE_ENABLED": "False",
            "NEWSBOT_SOURCES_FILE": sources_file(tmp_path, server, {"slow": "/slow.xml"}, extra="full_text = true\n"),
            "NEWSBOT_SOURCES": "slow",
            "NEWSBOT_ANALYZER": "heuristic",
            **server.allowed,
        }
        cmd = [sys.executable, "-m", "scrapy", "digest", "--date", DAY]
        cmd += [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
        env = scrapy_env(MONGO_URI=mongo_uri)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(server.hits.get(p) for p in pages) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert any(server.hits.get(p) for p in pages), proc.communicate(timeout=60)[1][-3000:]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 3, err[-3000:]
        [line] = errors(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
        assert f"interrupted (SIGTERM or SIGINT); the report for {DAY} was not written or stored" in line
        assert not reports.exists() or not list(reports.iterdir())
        assert mongo_db.reports.count_documents({}) == 0
        assert [r["close_reason"] for r in mongo_db.runs.find()] == ["shutdown"]

        # The next run of the day finishes the work: both articles, analysed, in the day's report.
        for page in pages:
            server.routes[page].delay = 0
        again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-3000:]
    report = json.loads((reports / f"{DAY}.json").read_text(encoding="utf-8"))
    assert report["raw_count"] == 2
    assert mongo_db.articles.count_documents({"analysis": {"$exists": True}}) == 2
    assert mongo_db.reports.count_documents({"date": DAY}) == 1
