import re

from newsbot.spiders.base import FeedSpider
from newsbot.text import tidy_text

_PREFIX_RE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", re.I | re.S)
# Replacements are new versions of old papers: not news.
_NOT_NEWS = {"replace", "replace-cross"}


class ArxivSpider(FeedSpider):
    """arXiv cs.AI: the description is "arXiv:ID Announce Type: new Abstract: ...", with LaTeX.
    Empty on weekends; robots.txt asks for a 15 s crawl delay (see newsbot.sources.catalog)."""

    name = "arxiv"

    def skip_reason(self, entry):
        if self._announce_type(entry) in _NOT_NEWS:
            return "arxiv_replacement"
        return None

    @staticmethod
    def _announce_type(entry) -> str:
        kind = entry.get("arxiv_announce_type")
        if not kind:
            match = re.search(r"Announce Type:\s*(\S+)", entry.get("summary", ""))
            kind = match.group(1) if match else "new"
        return kind.strip().lower()

    def clean_summary(self, summary_html):
        # The abstract is plain text with LaTeX: "$k<n$" must not be read as a tag.
        return _PREFIX_RE.sub("", tidy_text(summary_html))

    def entry_authors(self, entry):
        # dc:creator holds every author in one comma-separated string.
        names = []
        for name in super().entry_authors(entry):
            names.extend(part.strip() for part in re.split(r",|\band\b", name) if part.strip())
        return names

    def entry_extra(self, entry):
        return {"announce_type": self._announce_type(entry)}
