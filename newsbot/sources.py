"""The one table of sources: every spider, report and health check reads it from here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    name: str  # spider name
    display_name: str  # shown in reports
    feeds: tuple[str, ...]
    # The domains (and their subdomains) this source owns: article pages and any follow-up request
    # go nowhere else (Scrapy's allowed_domains). The feeds above are fetched wherever they are.
    domains: tuple[str, ...]
    lang: str  # "zh" or "en"
    home_region: str  # "domestic" or "international": a prior for the analyzer
    paywalled: bool = False
    # Feed text is partial, so the article page is fetched for the full text.
    follow_articles: bool = False
    # Source weight for ranking: a wire-service scoop outranks a blog recap.
    weight: float = 1.0
    extra_settings: dict = field(default_factory=dict)


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "36kr",
            "36氪",
            ("https://36kr.com/feed", "https://36kr.com/feed-newsflash"),
            ("36kr.com",),
            "zh",
            "domestic",
            follow_articles=True,
        ),
        Source(
            "qbitai",
            "量子位",
            ("https://www.qbitai.com/feed",),
            ("qbitai.com",),
            "zh",
            "domestic",
            follow_articles=True,
        ),
        Source("leiphone", "AI科技评论", ("https://www.leiphone.com/feed",), ("leiphone.com",), "zh", "domestic"),
        Source(
            "bloomberg",
            "Bloomberg Technology",
            ("https://feeds.bloomberg.com/technology/news.rss",),
            ("bloomberg.com",),
            "en",
            "international",
            paywalled=True,
            weight=1.2,
        ),
        Source(
            "arxiv",
            "arXiv AI",
            ("https://rss.arxiv.org/rss/cs.AI",),
            ("arxiv.org",),
            "en",
            "international",
            weight=0.8,
            # arXiv's robots.txt asks for Crawl-delay: 15; Scrapy does not read it, so we set it.
            extra_settings={"DOWNLOAD_DELAY": 15},
        ),
        Source(
            "ft",
            "Financial Times Tech",
            ("https://www.ft.com/technology?format=rss",),
            ("ft.com",),
            "en",
            "international",
            paywalled=True,
            weight=1.1,
        ),
        Source(
            "cnbc",
            "CNBC Tech",
            ("https://www.cnbc.com/id/19854910/device/rss/rss.html",),
            ("cnbc.com",),
            "en",
            "international",
            follow_articles=True,
        ),
        Source(
            "theverge",
            "The Verge AI",
            ("https://www.theverge.com/rss/ai-artificial-intelligence/index.xml",),
            ("theverge.com",),
            "en",
            "international",
        ),
        Source("nvidia", "NVIDIA AI", ("https://blogs.nvidia.com/feed/",), ("nvidia.com",), "en", "international"),
    )
}


def display_name(source: str) -> str:
    src = SOURCES.get(source)
    return src.display_name if src else source
