"""Editors' corrections (the `edits` collection) as labelled rows for `scrapy evalprompts --from-edits`:
what the editors keep fixing, measured like any golden set.

    a drop for not_ai          -> ai_relevant = false
    an importance change       -> that importance (and ai_relevant = true: the story stays)
    a region change            -> that region
    a promotion                -> ai_relevant = true, importance medium unless the editor set high

The row's text is the stored article's (its extracted text, or the feed's summary). Other drops (not
important, duplicate, wrong day, junk) say nothing about a label and make no row; a story no longer
stored makes none either.
"""

from __future__ import annotations

from newsbot.storage.articles import articles_by_url
from newsbot.storage.edits import edits_since, latest_by_story


def expected_of(changes: dict) -> dict:
    expected: dict = {}
    if changes.get("drop") == "not_ai":
        return {"ai_relevant": False}
    if "drop" in changes:
        return {}
    if changes.get("promote"):
        expected["ai_relevant"] = True
        expected["importance"] = "high" if changes.get("importance") == "high" else "medium"
    elif "importance" in changes:
        expected["ai_relevant"] = True
        expected["importance"] = changes["importance"]
    if "region" in changes:
        expected["region"] = changes["region"]
    return expected


def rows_from_edits(db, since: str | None = None) -> list[dict]:
    """One labelled row per edited story whose corrections name a label, by day then url."""
    by_day: dict[str, list[dict]] = {}
    for edit in edits_since(db, since):
        by_day.setdefault(edit["day"], []).append(edit)
    wanted = {day: latest_by_story(edits) for day, edits in by_day.items()}
    urls = sorted({url for stories in wanted.values() for url in stories})
    docs = articles_by_url(db, urls)
    rows = []
    for day, stories in sorted(wanted.items()):
        for url, changes in sorted(stories.items()):
            expected, doc = expected_of(changes), docs.get(url)
            if not expected or doc is None:
                continue
            published = doc.get("published_at")
            rows.append(
                {
                    "id": f"edit:{day}:{url}",
                    "day": day,
                    "source": doc.get("source") or "",
                    "title": doc.get("title") or "",
                    "url": url,
                    "published_at": published.isoformat() if published else "",
                    "lang": doc.get("lang") or "",
                    "text": doc.get("content") or doc.get("summary") or doc.get("title") or "",
                    "expected": expected,
                }
            )
    return rows
