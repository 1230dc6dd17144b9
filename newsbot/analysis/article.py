"""What an analyzer reads about one article, built from a stored document or a golden-set row."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from newsbot.sources.catalog import SOURCES


@dataclass(frozen=True)
class ArticleInput:
    url: str
    title: str
    text: str  # the body: article text, or the feed text when that is all there is
    lang: str  # zh | en
    source: str  # spider name
    source_name: str
    published_at: datetime | None

    # The source's standing, read from the registry where the article is built: a worker process
    # (newsbot.runtime.workers) knows only the built-in sources, not the user's file, so it must travel along.
    # `home_region` is the source's explicit `region` (None when it has none): only a prior.
    home_region: str | None = None
    source_weight: float | None = None
    # The source's `category` prior (a Category value), None when it has none.
    home_category: str | None = None

    def __post_init__(self) -> None:
        if self.source_weight is None:
            src = SOURCES.get(self.source)
            object.__setattr__(self, "source_weight", src.weight if src else 1.0)
            if self.home_region is None and src is not None:
                object.__setattr__(self, "home_region", src.home_region)
            if self.home_category is None and src is not None:
                object.__setattr__(self, "home_category", src.home_category)

    @classmethod
    def from_doc(cls, doc: dict) -> ArticleInput:
        content = (doc.get("content") or "").strip()
        summary = (doc.get("summary") or "").strip()
        # Paywalled and partial feeds leave a one-line dek in `summary` and little else: use whichever
        # says more, and keep the dek first when the body does not already start with it.
        if summary and summary not in content[: len(summary) + 50]:
            text = f"{summary}\n{content}" if content else summary
        else:
            text = content or summary
        return cls(
            url=doc.get("url", ""),
            title=(doc.get("title") or "").strip(),
            text=text,
            lang=doc.get("lang") or "en",
            source=doc.get("source", ""),
            source_name=doc.get("source_name") or doc.get("source", ""),
            published_at=_aware(doc.get("published_at")),
        )

    @classmethod
    def from_row(cls, row: dict) -> ArticleInput:
        """A golden-set row: {"id", "source", "title", "url", "published_at", "lang", "text", ...}."""
        published = row.get("published_at")
        when = datetime.fromisoformat(published) if isinstance(published, str) and published else None
        src = SOURCES.get(row.get("source", ""))
        return cls(
            url=row.get("url", ""),
            title=row.get("title", ""),
            text=row.get("text", ""),
            lang=row.get("lang") or (src.lang if src else "en"),
            source=row.get("source", ""),
            source_name=src.display_name if src else row.get("source", ""),
            published_at=_aware(when),
        )

    def digest(self, text: str | None = None) -> str:
        """Hash of everything an analysis depends on, so changed content is analysed again."""
        payload = [self.title, self.text if text is None else text, self.lang, self.source]
        payload.append(self.published_at.isoformat() if self.published_at else "")
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


def _aware(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
