"""CNBC article pages: JSON-LD NewsArticle for the metadata, the body from div.ArticleBody-articleBody."""

from __future__ import annotations

import re
from datetime import datetime

from parsel import Selector

from newsbot.parsers import ArticlePage, ExtractionError
from newsbot.parsers.jsonld import author_names, find_article
from newsbot.text import html_to_text
from newsbot.text.boilerplate import strip_boilerplate

# Promo paragraphs inside the body ("WATCH: <video title>", "READ MORE: <other story>") link elsewhere.
# Upper case only: CNBC writes these labels in capitals, a body paragraph never starts that way.
_PROMO_RE = re.compile(r"^(?:WATCH|READ MORE|DON['’]T MISS)\s*:")


def parse_cnbc(html: str, url: str = "") -> ArticlePage:
    sel = Selector(text=html)
    meta = find_article(sel) or {}
    paragraphs = [html_to_text(p) for p in sel.css("div.ArticleBody-articleBody .group p").getall()]
    text = "\n".join(p for p in paragraphs if p and not _PROMO_RE.match(p))
    if not text:
        # Some pages (live blogs, older templates) carry the text only in JSON-LD.
        text = html_to_text(meta.get("articleBody"))
    text = strip_boilerplate(text)
    if not text:
        raise ExtractionError("no ArticleBody paragraphs and no JSON-LD articleBody")
    published = None
    if meta.get("datePublished"):
        try:
            published = datetime.fromisoformat(meta["datePublished"].replace("Z", "+00:00"))
        except ValueError:
            published = None
    return ArticlePage(
        text=text,
        title=(meta.get("headline") or "").strip(),
        authors=author_names(meta.get("author", [])),
        published_at=published,
    )
