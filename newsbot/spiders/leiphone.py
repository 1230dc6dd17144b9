from newsbot.spiders.base import FeedSpider


class LeiphoneSpider(FeedSpider):
    """雷峰网 AI科技评论: the description is the full article HTML."""

    name = "leiphone"

    def entry_content(self, entry):
        return super().entry_content(entry) or entry.get("summary", "")
