from parsel import Selector

from newsbot.spiders.base import FeedSpider


class BloombergSpider(FeedSpider):
    """Bloomberg: pages sit behind a bot wall and a paywall, so the feed's one-sentence dek is all we keep.
    The description is sometimes missing; the title then stands alone.

    Items carry <media:content> with a <media:description>: the photo caption. feedparser files it
    under `content` when the item has a <description>, and under `summary` when it has none, so the
    caption would pass for the article text or the dek. The feed never carries article text, and an
    item without a <description> (checked in the raw XML) has no dek."""

    name = "bloomberg"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (feed response, keys): parsed once per feed response, not once per entry.
        self._described: tuple[object, set[str] | None] = (None, None)

    def entry_content(self, entry):
        return ""

    def item_from_entry(self, entry, response, fetched_at):
        item = super().item_from_entry(entry, response, fetched_at)
        described = self._described_keys(response)
        keys = {item.original_url, (entry.get("id") or "").strip()} - {""}
        if described is not None and keys and not keys & described:
            item.summary = ""
        return item

    def _described_keys(self, response) -> set[str] | None:
        """Links and guids of the items that have a non-empty <description>; None if the XML is unreadable."""
        if self._described[0] is not response:
            try:
                items = Selector(body=response.body, type="xml").xpath("//*[local-name()='item']")
                keys = set()
                for node in items:
                    if "".join(node.xpath("./*[local-name()='description']//text()").getall()).strip():
                        for key in node.xpath("./*[local-name()='link' or local-name()='guid']/text()").getall():
                            keys.add(key.strip())
                described = keys if items else None
            except (ValueError, TypeError):
                described = None
            self._described = (response, described)
        return self._described[1]

    def entry_extra(self, entry):
        media = entry.get("media_content") or []
        return {"image": media[0].get("url")} if media and media[0].get("url") else {}
