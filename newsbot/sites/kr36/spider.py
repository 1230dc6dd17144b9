from datetime import datetime

from newsbot.spiders.base import FeedSpider


class Kr36Spider(FeedSpider):
    """36氪: two feeds. Newsflash descriptions are the full text; /p/ articles are partial and their
    pages carry the text in window.initialState."""

    name = "36kr"

    def entry_published(self, entry):
        # "2026-02-04 08:37:21  +0800": no weekday, two spaces. Parse it ourselves rather than rely on
        # a date-format guesser that might drop the offset.
        raw = " ".join((entry.get("published") or "").split())
        try:
            return datetime.strptime(raw, "%Y-%m-%d %H:%M:%S %z")
        except ValueError:
            return super().entry_published(entry)

    def entry_content(self, entry):
        return entry.get("summary", "") if "/newsflashes/" in entry.get("link", "") else ""

    def wants_article(self, item, entry):
        return "/p/" in item.original_url
