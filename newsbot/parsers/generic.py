"""Any article page: trafilatura finds the main text among navigation, sidebars and footers."""

from __future__ import annotations

import trafilatura
from parsel import Selector

from newsbot.parsers import ArticlePage, ExtractionError
from newsbot.parsers.jsonld import author_names, find_article
from newsbot.text import strip_invisible
from newsbot.text.boilerplate import strip_boilerplate

MIN_TEXT_CHARS = 40


def parse_generic(html: str, url: str = "") -> ArticlePage:
    text = trafilatura.extract(
        html, url=url or None, include_comments=False, include_tables=False, favor_precision=True
    )
    text = strip_boilerplate(strip_invisible(text or "").strip())
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("no main text found")
    sel = Selector(text=html)
    meta = find_article(sel) or {}
    title = meta.get("headline") or sel.css('meta[property="og:title"]::attr(content)').get() or ""
    return ArticlePage(text=text, title=title.strip(), authors=author_names(meta.get("author", [])))
