from newsbot.spiders.base import FeedSpider


class CnbcSpider(FeedSpider):
    """CNBC: short descriptions; story pages have JSON-LD and div.ArticleBody-articleBody.
    Video items (metadata:type cnbcvideo) have no text page worth fetching."""

    name = "cnbc"

    def entry_extra(self, entry):
        return {"cnbc_type": entry.get("metadata_type", "")}

    def wants_article(self, item, entry):
        return entry.get("metadata_type", "cnbcnewsstory") != "cnbcvideo"
