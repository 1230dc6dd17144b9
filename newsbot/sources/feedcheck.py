"""`scrapy sources check`: fetch a feed once through the real downloader (robots.txt, user agent,
NEWSBOT_SNAPSHOT replay) and describe it: status, entries, language, date range, whether the feed
text is partial, and, for a feed it could read, a sources-file entry ready to paste."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy

from newsbot.fetch.policy import parse_ip
from newsbot.parsers.feeds import read_feed
from newsbot.sources.catalog import Source
from newsbot.sources.opml import GENERIC_LABELS, slug, toml_entries
from newsbot.text import html_to_text
from newsbot.text.lang import cjk_ratio, detect_lang

# A feed that parsed, however imperfectly; anything else (an HTML page, a challenge) was not read.
READ_STATUSES = ("ok", "malformed", "empty")
# Titles that name a topic, not a publisher: alone they would make a name like "ai".
VAGUE_TITLES = GENERIC_LABELS | {"ai", "tech", "feed", "home", "latest", "all", "posts"}
# Below this many characters of text per entry (median), the feed carries a teaser, not the article.
FULL_TEXT_CHARS = {"zh": 300, "en": 1000}


@dataclass
class FeedCheck:
    url: str
    status: int | None = None
    error: str = ""
    feed_status: str = ""
    title: str = ""
    entries: int = 0
    declared_lang: str = ""
    lang: str = "en"
    cjk_share: float = 0.0
    first: datetime | None = None
    last: datetime | None = None
    undated: int = 0
    with_content: int = 0
    median_chars: int = 0
    partial: bool = True
    summary_is_content: bool = False


class FeedProbeSpider(scrapy.Spider):
    """One request per feed URL, whatever the answer; the checks read the bodies afterwards."""

    name = "newsbot-sources-check"
    custom_settings = {
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {},
        "DOWNLOAD_HANDLERS": {},  # a feed never needs the browser
        "RETRY_TIMES": 0,
        "HTTPERROR_ALLOW_ALL": True,
    }

    def __init__(self, urls: list[str], results: dict, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.results = results

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.got, errback=self.failed, dont_filter=True)

    def got(self, response):
        self.results[response.request.url] = (response.status, response.headers, response.body, "")

    def failed(self, failure):
        self.results[failure.request.url] = (None, {}, b"", failure.getErrorMessage() or failure.type.__name__)


def analyse(url: str, status: int | None, headers, body: bytes, error: str = "") -> FeedCheck:
    check = FeedCheck(url=url, status=status, error=error)
    if status is None:
        return check
    content_type = headers.get("Content-Type", b"").decode("latin-1") if headers else ""
    feed = read_feed(body, content_type)
    check.feed_status, check.title = feed.status, feed.title.strip()
    if feed.error:
        check.error = feed.error
    check.entries = len(feed.entries)
    if not feed.entries:
        return check
    texts, dates = [], []
    for entry in feed.entries:
        contents = entry.get("content") or []
        content = html_to_text(contents[0].get("value", "")) if contents else ""
        summary = html_to_text(entry.get("summary", ""))
        check.with_content += bool(content)
        texts.append((entry.get("title", ""), content or summary, bool(content)))
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        if parsed:
            dates.append(datetime(*parsed[:6], tzinfo=UTC))
        else:
            check.undated += 1
    # The language is what the entries are written in: a declared <language> or the host's country
    # says nothing reliable (zh-cn feeds of English news, .cn hosts of English blogs).
    sample = " ".join(f"{t} {x[:500]}" for t, x, _ in texts)
    check.cjk_share = cjk_ratio(sample)
    check.lang = detect_lang(sample, "en")
    check.declared_lang = feed.language
    if dates:
        check.first, check.last = min(dates), max(dates)
    check.median_chars = int(statistics.median(len(x) for _, x, _ in texts))
    # A publisher that fills content:encoded means to give the article; a shorter body still counts.
    in_content = check.with_content >= len(texts) / 2
    check.partial = check.median_chars < FULL_TEXT_CHARS[check.lang] // (2 if in_content else 1)
    check.summary_is_content = not check.partial and check.with_content < len(texts) / 2
    return check


def unread_reason(check: FeedCheck) -> str:
    """Why this feed's answer was not a feed one can judge, or "" when it was read."""
    if check.status is None:
        return "it could not be fetched (status above)"
    if not 200 <= check.status < 300:
        return f"the server answered HTTP {check.status}"
    if check.feed_status not in READ_STATUSES:
        return f"the answer is not a feed ({check.error or check.feed_status})"
    if not check.entries:
        return "the feed has no entries to judge its language and text by"
    return ""


def entry_name(title: str, url: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A spider name after the feed's title. A title of one vague word ("AI", "News") gets the site's
    name before it, a title with no Latin letters (量子位) is the site's name alone, and a name
    already taken gets a number."""
    host = urlsplit(url).hostname or ""
    labels = [] if parse_ip(host) else [p for p in host.lower().split(".") if p not in GENERIC_LABELS]
    site = slug("-".join(labels)) if labels else ""
    name = slug(title)
    if name in VAGUE_TITLES or len(name) < 3:
        name = slug(f"{site}-{name}") if site and name != "feed" else site or name
    base, n = name, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def suggested_entry(checks: list[FeedCheck], source: Source | None, taken=frozenset()) -> dict:
    """The sources-file entry for these feeds (all of them read): the named source's own, with what
    the check found, or a new one named after the feed's title."""
    lang = max(("zh", "en"), key=lambda lang: sum(c.entries for c in checks if c.lang == lang))
    partial = any(c.partial for c in checks)
    if source is not None:
        entry = source.as_toml_entry()
    else:
        title = next((c.title for c in checks if c.title), "")
        host = urlsplit(checks[0].url).hostname or ""
        entry = {"name": entry_name(title, checks[0].url, taken), "display_name": title or host}
        entry["feeds"] = [c.url for c in checks]
        entry["lang"] = lang
    if partial and not entry.get("paywalled"):
        entry["full_text"] = True
    elif any(c.summary_is_content for c in checks):
        entry["summary_is_content"] = True
    return entry


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def describe(check: FeedCheck) -> list[str]:
    status = f"HTTP {check.status}" if check.status is not None else f"failed: {check.error}"
    lines = [f"feed     {check.url}", f"status   {status}"]
    if check.status is None:
        return lines
    if check.feed_status not in ("ok", ""):
        lines.append(f"feed     {check.feed_status}" + (f": {check.error}" if check.error else ""))
    if check.title:
        lines.append(f"title    {check.title}")
    lines.append(f"entries  {check.entries}")
    if not check.entries:
        return lines
    declared = f"; the feed declares {check.declared_lang!r}" if check.declared_lang else ""
    share = f"CJK characters {check.cjk_share:.0%} of the text, a Latin word counting as two"
    lines.append(f"language {check.lang} (from the entries: {share}{declared})")
    undated = f", {check.undated} undated" if check.undated else ""
    lines.append(f"dates    {_when(check.first)} → {_when(check.last)}{undated}")
    if check.partial:
        text = f"partial: median {check.median_chars} characters per entry; the article page is needed (full_text)"
    else:
        where = "content:encoded" if check.with_content >= check.entries / 2 else "the description"
        text = f"full: median {check.median_chars} characters per entry, in {where}"
    lines.append(f"text     {text}")
    return lines


def report(checks: list[FeedCheck], source: Source | None, taken=frozenset()) -> str:
    blocks = ["\n".join(describe(c)) for c in checks]
    unread = [(c.url, why) for c in checks if (why := unread_reason(c))]
    if unread:
        # An entry guessed from an error page would only move the failure into the sources file.
        blocks.append("\n".join(f"no entry to suggest: {url} was not read: {why}" for url, why in unread))
    else:
        entry = toml_entries([suggested_entry(checks, source, taken)]).rstrip()
        blocks.append("# ready to paste into your sources file (NEWSBOT_SOURCES_FILE):\n" + entry)
    return "\n\n".join(blocks)
