"""The article item every spider yields and every pipeline reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class NewsItem:
    url: str  # canonical (set by the normalise pipeline)
    original_url: str
    source: str
    source_name: str
    title: str
    published_at: datetime | None  # aware, UTC once normalised
    fetched_at: datetime
    authors: list[str] = field(default_factory=list)
    feed_categories: list[str] = field(default_factory=list)
    lang: str = "en"
    summary: str = ""  # feed description, plain text
    content: str = ""  # article text, plain text
    paywalled: bool = False
    # Where `content` came from: "article" (page parsed), "feed" (full feed text)
    # or "feed-fallback" (page failed, the feed text stands in).
    content_source: str = "feed"
    # True when the feed's date could not be parsed and fetched_at stands in.
    date_missing: bool = False
    # True when the feed's date is impossible (far future, before 2000): fetched_at stands in for
    # windowing and the claim is kept in feed_published_at.
    date_suspect: bool = False
    feed_published_at: datetime | None = None
    guid: str = ""
    # Why newsbot will not report this entry (e.g. "arxiv_replacement"), or "" for news. Skipped entries are
    # still stored, so the day's raw count is every item the feeds published; they are never analysed or selected.
    skip_reason: str = ""
    feed_url: str = ""
    extra: dict = field(default_factory=dict)  # site-specific facts (arXiv announce type, CNBC type, ...)
    # The offline judgement (the judge pipeline), stored with the article in the same write; None: the
    # stored analysis, if any, is left as it is.
    analysis: dict | None = None
