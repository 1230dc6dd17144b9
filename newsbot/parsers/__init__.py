"""Article-page extraction, one parser per site (Fundus / web-poet style): pure functions of the HTML,
kept apart from crawling so each can be tested on saved pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class ExtractionError(ValueError):
    """The page was fetched but held no article text we could find."""


@dataclass
class ArticlePage:
    text: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
