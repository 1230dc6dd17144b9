"""Every source is a spider: SourceSpiderLoader (SPIDER_LOADER_CLASS) reads the sources the
settings name (newsbot/sources.toml + NEWSBOT_SOURCES_FILE) and makes one FeedSpider subclass per
source at load time. `scrapy list`, `scrapy crawl NAME`, scrapyd's listspiders (which runs
`scrapy list` with the project settings) and `scrapy schedule` therefore all see every source.

A site with real quirks keeps a package under newsbot.sites (SPIDER_MODULES) whose spider class has the
source's `name`; the generated class subclasses it. A quirk class whose source is disabled or absent is
not a spider.
"""

from __future__ import annotations

import sys

from scrapy.spiderloader import SpiderLoader

from newsbot.sources.catalog import Source, SourcesError, configure
from newsbot.spiders.base import FeedSpider


def configure_or_exit(settings):
    """The settings' sources, or one line on stderr and exit status 1: nothing runs on a bad file."""
    try:
        return configure(settings)
    except SourcesError as exc:
        print(f"newsbot: error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def spider_class(source: Source, base: type[FeedSpider] = FeedSpider) -> type[FeedSpider]:
    words = "".join(part.capitalize() for part in source.name.replace("-", "_").split("_"))
    attrs = {
        "name": source.name,
        "source": source,
        "__module__": __name__,
        "__doc__": base.__doc__ or f"{source.display_name}: the generic feed spider.",
    }
    return type(f"{words}Spider", (base,), attrs)


class SourceSpiderLoader(SpiderLoader):
    def __init__(self, settings):
        sources = configure_or_exit(settings)
        super().__init__(settings)
        quirks = self._spiders
        self._spiders = {name: spider_class(src, quirks.get(name, FeedSpider)) for name, src in sources.items()}
