"""`scrapy sources check` against a local HTTP server: an entry is suggested only for a feed that
was read, named after the feed's title, with the language its entries are written in; a refusal
names the setting that would allow the fetch."""

from __future__ import annotations

import tomllib

import pytest

from tests.ops.conftest import LocalHTTPServer

READY = "# ready to paste into your sources file (NEWSBOT_SOURCES_FILE):\n"
RSS = "application/rss+xml; charset=utf-8"


def rss(title: str, language: str, items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>http://localhost/{i}</link><description>{d}</description>"
        f"<pubDate>Mon, 02 Feb 2026 1{i}:00:00 GMT</pubDate></item>"
        for i, (t, d) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://localhost/</link><language>{language}</language>{body}</channel></rss>"
    )


# The declared <language> says the opposite of what the entries are written in, both ways.
ENGLISH = rss(
    "Example AI Weblog",
    "zh-cn",
    [("A new model is out", "The lab released a new version of its language model today, with better scores.")] * 3,
)
CHINESE = rss(
    "AI",
    "en",
    [("智谱发布新模型", "智谱今日发布了新一代大模型，在多项评测中取得了更好的成绩，并宣布向开发者开放接口。")] * 3,
)
PAGES = {
    "/english.xml": (200, {"Content-Type": RSS}, ENGLISH),
    "/chinese.xml": (200, {"Content-Type": RSS}, CHINESE),
    "/page.html": (200, {"Content-Type": "text/html"}, "<html><body><p>not a feed</p></body></html>"),
}


@pytest.fixture(scope="module")
def feeds():
    server = LocalHTTPServer(lambda r: PAGES.get(r.path, (404, {"Content-Type": "text/plain"}, "no such page")))
    yield server
    server.close()


def suggested(stdout: str) -> dict:
    return tomllib.loads(stdout.split(READY, 1)[1])["source"][0]


def test_a_read_feed_is_named_after_its_title_with_the_language_of_its_entries(scrapy_runner, feeds):
    done = scrapy_runner(
        "sources", "check", f"{feeds.url}/english.xml", NEWSBOT_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{feeds.port}"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    entry = suggested(done.stdout)
    assert entry["name"] == "example-ai-weblog" and entry["display_name"] == "Example AI Weblog"
    assert entry["lang"] == "en" and entry["feeds"] == [f"{feeds.url}/english.xml"]


def test_a_vague_title_takes_the_site_name_and_chinese_entries_make_zh(scrapy_runner, feeds):
    url = f"http://localhost:{feeds.port}/chinese.xml"
    done = scrapy_runner("sources", "check", url, NEWSBOT_ALLOW_PRIVATE_HOSTS="localhost")
    assert done.returncode == 0, done.stderr[-3000:]
    entry = suggested(done.stdout)
    assert entry["name"] == "localhost-ai" and entry["display_name"] == "AI" and entry["lang"] == "zh"


def test_no_entry_after_a_404_an_html_page_or_a_dns_failure(scrapy_runner, feeds, tmp_path):
    sources = tmp_path / "sources.toml"
    broken = [f"{feeds.url}/gone.xml", f"{feeds.url}/page.html", "http://feeds.newsbot.invalid/feed.xml"]
    sources.write_text(
        f'[[source]]\nname = "broken"\ndisplay_name = "Broken"\nfeeds = {broken!r}\nlang = "en"\n'.replace("'", '"'),
        encoding="utf-8",
    )
    done = scrapy_runner(
        "sources",
        "check",
        "broken",
        NEWSBOT_SOURCES_FILE=str(sources),
        NEWSBOT_SOURCES="",
        NEWSBOT_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{feeds.port}",
    )
    assert done.returncode == 1, done.stderr[-3000:]
    assert READY not in done.stdout and "[[source]]" not in done.stdout
    assert f"{broken[0]} was not read: the server answered HTTP 404" in done.stdout
    assert f"{broken[1]} was not read: the answer is not a feed" in done.stdout
    assert f"{broken[2]} was not read: it could not be fetched" in done.stdout


def test_a_private_address_refusal_names_the_setting(scrapy_runner, feeds):
    done = scrapy_runner("sources", "check", f"{feeds.url}/english.xml")
    assert done.returncode == 1
    assert f"-s NEWSBOT_ALLOW_PRIVATE_HOSTS=127.0.0.1:{feeds.port}" in done.stdout
    assert READY not in done.stdout
