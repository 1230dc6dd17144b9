"""The corpus of odd and hostile feeds (tests/crawl/feeds_corpus.py) through the real crawler, twice:
over real HTTP to local servers, and replayed from a snapshot. Every feed must be read with the right
characters, one bad entry must cost no other, nothing may be fetched that the fetch policy forbids
(asserted at the servers and from the requests the crawl actually sent), and text and dates are bounded."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from pymongo import MongoClient

from newsbot import settings as project_settings
from tests.conftest import run_scrapy, scrapy_env
from tests.crawl.feeds_corpus import (
    ARTICLE,
    ARTICLE_PATHS,
    ARTICLE_TEXT,
    HUGE_TITLE,
    encoding_feeds,
    hostile_feed,
    item,
    recent,
    rss,
    rss_date,
)
from tests.mockserver import MockServer

pytestmark = pytest.mark.slow

# The project's extensions, plus the one that writes down every request sent.
REQUEST_LOG_EXT = json.dumps({**project_settings.EXTENSIONS, "tests.crawl.requestlog.RequestLog": 950})


def crawl(mongo_uri, db_name, out_dir, spider, feeds, log, *extra_args, exit_status=0, **settings):
    base = {
        "MONGO_DATABASE": db_name,
        "NEWSBOT_OUTPUT_DIR": str(out_dir),
        "NEWSBOT_ANALYZER": "heuristic",
        "TELNETCONSOLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "RETRY_TIMES": "0",
        "EXTENSIONS": REQUEST_LOG_EXT,
        "TESTS_REQUEST_LOG": str(log),
    }
    base.update(settings)
    flags = [x for k, v in base.items() for x in ("-s", f"{k}={v}")]
    args = ["crawl", spider, "-a", "feeds=" + ",".join(feeds), *extra_args]
    result = run_scrapy(*args, *flags, env=scrapy_env(MONGO_URI=mongo_uri))
    assert result.returncode == exit_status, result.stderr[-3000:]
    if exit_status:
        # Its only feed failed: one line, and no report of the day (issue 20).
        assert f"newsbot: error: no source produced a good feed ({spider} error)" in result.stderr
    return result


class Outcome:
    """What one transport's crawls left behind: stored articles, run records, logs, sent requests."""

    def __init__(self, mongo_uri, db_name, log, stderr, report_dir):
        client = MongoClient(mongo_uri, tz_aware=True)
        db = client[db_name]
        self.articles = list(db.articles.find())
        self.runs = {r["source"]: r for r in db.runs.find()}
        client.drop_database(db_name)
        client.close()
        self.by_title = {a["title"]: a for a in self.articles}
        self.sent = [json.loads(line)["url"] for line in log.read_text().splitlines()] if log.exists() else []
        self.stderr = stderr
        self.reports = {p.suffix: p.read_text(encoding="utf-8") for p in report_dir.glob("*.*")}


@pytest.fixture(scope="module")
def live(mongo_uri, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus_live")
    log, out = tmp / "requests.jsonl", tmp / "reports"
    db_name = "corpus_live"
    with MockServer() as site, MockServer() as internal:
        for name, (body, ctype, _) in encoding_feeds(site.url("/corpus")).items():
            site.add(f"/corpus/{name}.xml", body, headers={"Content-Type": ctype})
        feed, _ = hostile_feed(site.base, internal.base, "https://offsite.example")
        site.add("/feed.xml", feed, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
        for path in ARTICLE_PATHS:
            site.add(path, ARTICLE.format(text=ARTICLE_TEXT))
        # A redirect inside: to a port on 127.0.0.1 that nobody allowed.
        site.add("/p/redirect.html", b"", status=302, headers={"Location": internal.url("/secret")})
        site.add("/moved-feed.xml", b"", status=301, headers={"Location": internal.url("/feed.xml")})
        site.add("/empty.xml", b"", headers={"Content-Type": "application/rss+xml"})
        internal.add("/feed.xml", feed, headers={"Content-Type": "application/rss+xml"})
        internal.add("/secret", "internal secret")
        # A host NAME whose DNS answer is internal: caught by the resolver, at connect time.
        named_inside = f"http://localhost:{internal.httpd.server_address[1]}/feed.xml"
        allow = {"NEWSBOT_ALLOW_PRIVATE_HOSTS": site.host}
        names = list(encoding_feeds(site.url("/corpus")))
        results = [
            crawl(mongo_uri, db_name, out, "theverge", [site.url(f"/corpus/{n}.xml") for n in names], log, **allow),
            crawl(
                mongo_uri,
                db_name,
                out,
                "qbitai",
                [site.url("/feed.xml"), site.url("/moved-feed.xml"), named_inside],
                log,
                "-a",
                "domains=127.0.0.1",
                **allow,
            ),
            crawl(mongo_uri, db_name, out, "nvidia", [site.url("/empty.xml")], log, exit_status=1, **allow),
        ]
        outcome = Outcome(mongo_uri, db_name, log, "\n".join(r.stderr for r in results), out)
        outcome.internal_hits = dict(internal.hits)
        outcome.site_hits = dict(site.hits)
        outcome.site = site.base
    port = internal.httpd.server_address[1]
    # http://localhost:PORT does reach the downloader: it is refused when its name resolves, so the
    # proof for it is the internal server's empty hit list.
    outcome.forbidden = (f"http://127.0.0.1:{port}", *ALWAYS_FORBIDDEN)
    return outcome


def write_snapshot(root, entries):
    """entries: (url, status, headers, body bytes)."""
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, (url, status, headers, body) in enumerate(entries):
        (root / f"b{n}").write_bytes(body)
        lines.append(json.dumps({"url": url, "status": status, "headers": headers, "body": f"b{n}"}))
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n")


SITE = "https://www.qbitai.com"
ALWAYS_FORBIDDEN = ("http://169.254.169.254", "https://offsite.example", "javascript:", "data:", "file:")
INTERNAL = "http://127.0.0.1:27017"
MIRROR = "https://mirror.corpus.example"


@pytest.fixture(scope="module")
def replay(mongo_uri, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus_replay")
    log, out = tmp / "requests.jsonl", tmp / "reports"
    db_name = "corpus_replay"
    verge = "https://www.theverge.com/corpus"
    feed, _ = hostile_feed(SITE, INTERNAL, "https://offsite.example")
    page = ARTICLE.format(text=ARTICLE_TEXT).encode()
    mirror_feed = rss([item("镜像源文章", f"{MIRROR}/p/1.html", "镜像摘要")], decl=' encoding="utf-8"')
    entries = [(f"{verge}/{n}.xml", 200, {"Content-Type": c}, b) for n, (b, c, _) in encoding_feeds(verge).items()]
    entries += [
        (f"{SITE}/feed", 200, {"Content-Type": "application/rss+xml"}, feed.encode()),
        (f"{SITE}/feed-moved", 301, {"Location": f"{INTERNAL}/feed.xml"}, b""),
        (f"{SITE}/p/redirect.html", 302, {"Location": f"{INTERNAL}/secret"}, b""),
        (f"{MIRROR}/feed.xml", 200, {"Content-Type": "application/rss+xml"}, mirror_feed.encode()),
        ("https://blogs.nvidia.com/empty.xml", 200, {"Content-Type": "application/rss+xml"}, b""),
        # Recorded, so the replay WOULD answer them: only the policy keeps them from being requested.
        (f"{MIRROR}/p/1.html", 200, {"Content-Type": "text/html"}, page),
        (f"{INTERNAL}/secret", 200, {"Content-Type": "text/plain"}, b"internal secret"),
        (f"{INTERNAL}/feed.xml", 200, {"Content-Type": "application/rss+xml"}, feed.encode()),
        ("http://169.254.169.254/latest/meta-data/", 200, {"Content-Type": "text/plain"}, b"iam"),
        ("https://offsite.example/story.html", 200, {"Content-Type": "text/html"}, page),
    ]
    entries += [(f"{SITE}{p}", 200, {"Content-Type": "text/html; charset=utf-8"}, page) for p in ARTICLE_PATHS]
    write_snapshot(tmp / "snap", entries)
    snap = {"NEWSBOT_SNAPSHOT": str(tmp / "snap")}
    results = [
        crawl(mongo_uri, db_name, out, "theverge", [f"{verge}/{n}.xml" for n in encoding_feeds(verge)], log, **snap),
        crawl(
            mongo_uri, db_name, out, "qbitai", [f"{SITE}/feed", f"{SITE}/feed-moved", f"{MIRROR}/feed.xml"], log, **snap
        ),
        crawl(mongo_uri, db_name, out, "nvidia", ["https://blogs.nvidia.com/empty.xml"], log, exit_status=1, **snap),
    ]
    outcome = Outcome(mongo_uri, db_name, log, "\n".join(r.stderr for r in results), out)
    outcome.site = SITE
    # The mirror's feed was named by the operator; its pages are not the source's.
    outcome.forbidden = (INTERNAL, f"{MIRROR}/p/", *ALWAYS_FORBIDDEN)
    outcome.mirror_feed_fetched = f"{MIRROR}/feed.xml" in outcome.sent
    return outcome


@pytest.fixture(params=["live", "replay"])
def corpus(request):
    return request.getfixturevalue(request.param)


def test_every_encoding_is_read_with_the_right_characters(corpus):
    expected = {title for _, _, title in encoding_feeds("x").values()}
    stored = {a["title"] for a in corpus.articles if a["source"] == "theverge"}
    assert stored == expected
    counters = corpus.runs["theverge"]["counters"]
    assert counters["feed/encoding/bom"] == 4
    assert counters["feed/encoding/byte-pattern"] == 3
    assert counters["feed/encoding/detected"] == 5
    assert counters["feed/encoding/xml-declaration"] == 1
    assert corpus.runs["theverge"]["status"] == "ok"


def test_a_bad_entry_costs_no_other_and_is_counted(corpus):
    stored = {a["title"] for a in corpus.articles if a["source"] == "qbitai"}
    assert {"正常文章一", "站外链接", "跳转到本机", "未来日期", "远古日期", "正常文章二"} <= stored
    assert not {"脚本链接", "数据链接", "文件链接", "云元数据地址", "本机数据库"} & stored
    run = corpus.runs["qbitai"]
    assert run["counters"]["entry/dropped/bad_link"] >= 3
    assert run["counters"]["entry/dropped/private_link"] >= 2
    assert run["entries_dropped"] >= 5
    assert run["status"] == "degraded"
    assert run["spider_errors"] == 0
    assert "Missing scheme" not in corpus.stderr


def test_no_request_reaches_a_host_it_must_not(corpus):
    hosts = {urlsplit(u).netloc for u in corpus.sent}
    assert hosts, "the request log recorded nothing"
    assert [u for u in corpus.sent if u.startswith(corpus.forbidden)] == []
    assert all(urlsplit(u).scheme in ("http", "https") for u in corpus.sent)
    if hasattr(corpus, "internal_hits"):
        assert corpus.internal_hits == {}
    # The article pages of the source's own site were fetched.
    assert urlsplit(corpus.site).netloc in hosts


def test_offsite_and_redirected_links_keep_feed_text(corpus):
    offsite = corpus.by_title["站外链接"]
    assert offsite["original_url"] == "https://offsite.example/story.html"
    assert offsite["content"] == "站外链接的摘要"
    redirected = corpus.by_title["跳转到本机"]
    assert redirected["content"] == "跳转到本机的摘要"
    assert "internal secret" not in json.dumps([a.get("content") for a in corpus.articles], ensure_ascii=False)
    counters = corpus.runs["qbitai"]["counters"]
    assert counters["article/not_fetched/offsite"] >= 1
    assert counters["fetch/refused/private_address"] >= 1
    assert corpus.by_title["正常文章一"]["content_source"] == "article"


def test_operator_named_feed_off_domain_is_read_but_does_not_widen_pages(replay):
    assert replay.mirror_feed_fetched
    mirrored = replay.by_title["镜像源文章"]
    assert mirrored["content_source"] == "feed"
    assert mirrored["content"] == "镜像摘要"


def test_redirect_of_a_named_feed_to_loopback_is_refused(corpus):
    # The moved feed's target is internal: refused, counted as a feed error, its entries not read twice.
    assert corpus.runs["qbitai"]["counters"]["feed/error"] >= 1
    titles = [a["title"] for a in corpus.articles]
    assert len(titles) == len(set(titles))


def test_dns_answer_pointing_inside_is_refused(live):
    assert "Refusing localhost: it resolves to 127.0.0.1" in live.stderr
    assert live.internal_hits == {}


def test_huge_title_is_capped_at_a_character_boundary(corpus):
    capped = [a for a in corpus.articles if a["title"].startswith("超长标题")]
    assert [a["title"] for a in capped] == [HUGE_TITLE[:299] + "…"]
    assert corpus.runs["qbitai"]["counters"]["items/capped/title"] == 1
    for text in corpus.reports.values():
        assert HUGE_TITLE[:400] not in text


def test_zero_byte_feed_is_an_error_not_empty(corpus):
    run = corpus.runs["nvidia"]
    assert run["status"] == "error"
    assert run["counters"]["feed/error"] == 1
    assert "feed/empty" not in run["counters"]
    assert "empty response body" in corpus.stderr


def test_impossible_dates_are_flagged_and_use_first_seen(corpus):
    for title in ("未来日期", "远古日期"):
        doc = corpus.by_title[title]
        assert doc["date_suspect"] is True
        assert doc["published_at"] == doc["fetched_at"]
        assert abs(doc["published_at"] - doc["first_seen"]) < timedelta(minutes=5)
    assert corpus.by_title["未来日期"]["feed_published_at"].year == 2099
    assert corpus.by_title["远古日期"]["feed_published_at"].year == 1970
    assert corpus.by_title["正常文章一"]["date_suspect"] is False


def test_report_links_only_public_http(corpus):
    html = corpus.reports.get(".html", "")
    assert json.loads(corpus.reports[".json"])["raw_count"] >= 10, "the report should cover the corpus"
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h == "#" or h.startswith(("http://", "https://")) for h in hrefs)
    # The off-site public link may be shown (it is the item's address); nothing internal or scripted may,
    # and nothing stored may link there either (a later report, or another reader of the database, would).
    internal = corpus.forbidden[0].split("://", 1)[1]
    stored_links = {a[key] for a in corpus.articles for key in ("url", "original_url")}
    assert all(u.startswith(("http://", "https://")) for u in stored_links)
    assert not [u for u in stored_links if internal in u or "169.254.169.254" in u]
    for bad in (internal, "169.254.169.254", "javascript:", "data:text", "file:///"):
        for fmt in (".html", ".md", ".txt", ".json"):
            assert bad not in corpus.reports[fmt], (fmt, bad)


def test_re_seen_item_with_a_false_date_keeps_its_time(mongo_uri, tmp_path):
    """A stored article re-seen with a 2099 date, or with no date, keeps the time it was stored with."""
    good_date = recent(30)
    first = rss(
        [
            item("旧文章", f"{SITE}/p/1.html", "摘要", rss_date(good_date)),
            item("无日期", f"{SITE}/p/2.html", "摘要", ""),
        ]
    )
    later = rss(
        [
            item("旧文章", f"{SITE}/p/1.html", "摘要", "Tue, 01 Jan 2099 10:00:00 +0000"),
            item("无日期", f"{SITE}/p/2.html", "摘要", ""),
        ]
    )
    db_name = "corpus_redated"
    page = ARTICLE.format(text=ARTICLE_TEXT).encode()
    stored = []
    client = MongoClient(mongo_uri, tz_aware=True)
    try:
        for n, feed in enumerate((first, later)):
            root = tmp_path / f"snap{n}"
            write_snapshot(
                root,
                [(f"{SITE}/feed", 200, {"Content-Type": "application/rss+xml"}, feed.encode())]
                + [(f"{SITE}{p}", 200, {"Content-Type": "text/html"}, page) for p in ("/p/1.html", "/p/2.html")],
            )
            crawl(
                mongo_uri,
                db_name,
                tmp_path / "out",
                "qbitai",
                [f"{SITE}/feed"],
                tmp_path / "log.jsonl",
                NEWSBOT_SNAPSHOT=str(root),
            )
            stored.append({d["title"]: d for d in client[db_name].articles.find()})
    finally:
        client.drop_database(db_name)
        client.close()
    assert stored[0]["旧文章"]["published_at"] == good_date
    assert stored[1]["旧文章"]["published_at"] == good_date
    assert stored[1]["无日期"]["published_at"] == stored[0]["无日期"]["published_at"]
    assert stored[1]["旧文章"]["last_seen"] > stored[0]["旧文章"]["last_seen"]
