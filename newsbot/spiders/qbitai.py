from newsbot.spiders.base import FeedSpider


class QbitaiSpider(FeedSpider):
    """量子位: WordPress RSS with a short or empty description; the text comes from the page (trafilatura)."""

    name = "qbitai"
