"""`scrapy sources check`: fetch a feed once through the real downloader (robots.txt, user agent,
NEWSBOT_SNAPSHOT replay) and describe it: status, entries, language, date range, whether the feed
text is partial, and a sources-file entry ready to paste."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

import scrapy

from newsbot.parsers.feeds import read_feed
from newsbot.sources.catalog import Source
from newsbot.sources.opml import slug, toml_entries
from newsbot.text import html_to_text

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[A-Za-z]")
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
    sample = " ".join(f"{t} {x[:500]}" for t, x, _ in texts)
    cjk, latin = len(_CJK_RE.findall(sample)), len(_LATIN_RE.findall(sample))
    check.cjk_share = cjk / max(1, cjk + latin)
    check.lang = "zh" if check.cjk_share >= 0.2 else "en"
    check.declared_lang = feed.language
    if dates:
        check.first, check.last = min(dates), max(dates)
    check.median_chars = int(statistics.median(len(x) for _, x, _ in texts))
    # A publisher that fills content:encoded means to give the article; a shorter body still counts.
    in_content = check.with_content >= len(texts) / 2
    check.partial = check.median_chars < FULL_TEXT_CHARS[check.lang] // (2 if in_content else 1)
    check.summary_is_content = not check.partial and check.with_content < len(texts) / 2
    return check


def suggested_entry(checks: list[FeedCheck], source: Source | None) -> dict:
    """The sources-file entry for these feeds: the named source's own, with what the check found."""
    good = [c for c in checks if c.entries] or checks
    lang = max(("zh", "en"), key=lambda lang: sum(c.entries for c in good if c.lang == lang))
    partial = any(c.partial for c in good if c.entries)
    if source is not None:
        entry = source.as_toml_entry()
    else:
        title = next((c.title for c in good if c.title), "")
        entry = {"name": slug(title, checks[0].url), "display_name": title or checks[0].url}
        entry["feeds"] = [c.url for c in checks]
        entry["lang"] = lang
    if partial and not entry.get("paywalled"):
        entry["full_text"] = True
    elif any(c.summary_is_content for c in good):
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
    lines.append(f"language {check.lang} (CJK characters in {check.cjk_share:.0%} of the letters{declared})")
    undated = f", {check.undated} undated" if check.undated else ""
    lines.append(f"dates    {_when(check.first)} → {_when(check.last)}{undated}")
    if check.partial:
        text = f"partial: median {check.median_chars} characters per entry; the article page is needed (full_text)"
    else:
        where = "content:encoded" if check.with_content >= check.entries / 2 else "the description"
        text = f"full: median {check.median_chars} characters per entry, in {where}"
    lines.append(f"text     {text}")
    return lines


def report(checks: list[FeedCheck], source: Source | None) -> str:
    blocks = ["\n".join(describe(c)) for c in checks]
    entry = toml_entries([suggested_entry(checks, source)]).rstrip()
    blocks.append("# ready to paste into your sources file (NEWSBOT_SOURCES_FILE):\n" + entry)
    return "\n\n".join(blocks)
