from newsbot.spiders.base import FeedSpider


class NvidiaSpider(FeedSpider):
    """NVIDIA blog: WordPress with full content:encoded. The guid (?p=N) can flip to the permalink
    between polls, which is why articles are keyed on the canonical link, never the guid."""

    name = "nvidia"
