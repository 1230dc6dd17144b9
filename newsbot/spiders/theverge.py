from newsbot.spiders.base import FeedSpider


class TheVergeSpider(FeedSpider):
    """The Verge: Atom with full content and sometimes several authors (handled by the base)."""

    name = "theverge"
