"""36氪 article pages: the text is in window.initialState (the app's own data), with the rendered
div.articleDetailContent as a second source when the state is missing or changes shape."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from parsel import Selector

from newsbot.parsers import ArticlePage, ExtractionError
from newsbot.text import html_to_text
from newsbot.text.boilerplate import strip_boilerplate

_STATE_RE = re.compile(r"window\.initialState\s*=\s*")


def initial_state(html: str) -> dict | None:
    match = _STATE_RE.search(html)
    if not match:
        return None
    try:
        # raw_decode stops at the end of the object, whatever script follows it.
        state, _ = json.JSONDecoder().raw_decode(html, match.end())
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def parse_36kr(html: str, url: str = "") -> ArticlePage:
    state = initial_state(html) or {}
    data = (((state.get("articleDetail") or {}).get("articleDetailData") or {}).get("data")) or {}
    text = html_to_text(data.get("widgetContent"))
    if not text:
        text = html_to_text(" ".join(Selector(text=html).css("div.articleDetailContent").getall()))
    text = strip_boilerplate(text)
    if not text:
        raise ExtractionError("no initialState article and no div.articleDetailContent")
    published = None
    if isinstance(data.get("publishTime"), (int, float)):
        published = datetime.fromtimestamp(data["publishTime"] / 1000, tz=UTC)
    author = data.get("author")
    return ArticlePage(
        text=text,
        title=(data.get("widgetTitle") or "").strip(),
        authors=[author.strip()] if isinstance(author, str) and author.strip() else [],
        published_at=published,
    )
