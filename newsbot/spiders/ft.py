import re

from newsbot.spiders.base import FeedSpider

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class FtSpider(FeedSpider):
    """Financial Times: paywalled; the guid is a bare UUID and the standfirst is one line or empty."""

    name = "ft"

    def entry_link(self, entry):
        link = super().entry_link(entry)
        guid = (entry.get("id") or "").strip()
        if not link and _UUID_RE.match(guid):
            return f"https://www.ft.com/content/{guid}"
        return link
