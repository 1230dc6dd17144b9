"""The site's search index: every entry of every day, searchable by title, summary, tags, source
and company, in `search.json` (for any tool) and in `assets/search-index.js`, the same data as a
script: a page opened from file:// cannot fetch() a JSON file, but it can load a <script src>."""

from __future__ import annotations

import json

from newsbot.archive.stored import StoredDay
from newsbot.report.anchors import entry_anchor

INDEX_VARIABLE = "NEWSBOT_SEARCH"


def day_page(day: str) -> str:
    """A day's page, relative to the site's top folder (index.html named: file:// lists folders)."""
    return f"{day}/index.html"


def _companies(record: dict | None) -> list[str]:
    """The organisations and people the event names, as the memory keeps them (casefolded)."""
    if not record:
        return []
    return sorted(set(record.get("central_keys") or ()) | set(record.get("entity_keys") or ()))


def search_entries(days: list[StoredDay]) -> list[dict]:
    """Newest day first; within a day, in report order."""
    rows = []
    for day in reversed(days):
        for e in day.entries:
            url = e.get("url") or ""
            rows.append(
                {
                    "date": day.date,
                    "title": e.get("title") or "",
                    "summary": e.get("summary") or "",
                    "tags": [str(t) for t in e.get("tags") or []],
                    "source": e.get("source") or "",
                    "source_name": e.get("source_name") or "",
                    "companies": _companies(day.memory.get(url)),
                    "region": e.get("region") or "",
                    "url": url,
                    "page": f"{day_page(day.date)}#{entry_anchor(url)}",
                }
            )
    return rows


def search_json(days: list[StoredDay]) -> str:
    return json.dumps({"entries": search_entries(days)}, ensure_ascii=False, indent=1) + "\n"


def _script_safe(text: str) -> str:
    # Valid JSON is a valid JS expression; these escapes keep it inert wherever the file is inlined.
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def search_script(days: list[StoredDay]) -> str:
    data = json.dumps({"entries": search_entries(days)}, ensure_ascii=False, separators=(",", ":"))
    return f"window.{INDEX_VARIABLE} = {_script_safe(data)};\n"
