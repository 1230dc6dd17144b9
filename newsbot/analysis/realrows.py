"""Labelled rows of a captured real day, built at run time: the labels from the day's labels.json, each
row's text from the feeds the day's snapshot recorded. No third party's text is ever copied into a
dataset; a dataset names the day instead, with a reference line {"labels": "PATH/labels.json"}.

A labels file: {"items": [{"source", "url", "title", "published_at", "report_date", "in_window",
"ai_relevant", "region", "importance", "category"?, "junk"?, "region_ambiguous"?, "label_quality"?}]}.
Only the items an editor judged count: in the day's window, and not a keyword first pass ("quick").
A label the editor left open (no region, an ambiguous region) is not scored for that field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from newsbot.fetch.snapshot import Snapshot, SnapshotError
from newsbot.parsers.feeds import read_feed
from newsbot.text import html_to_text
from newsbot.text.boilerplate import strip_boilerplate
from newsbot.text.lang import detect_lang
from newsbot.text.urls import canonical_url

REAL = "real"
AUTHORED = "authored"
LABELLED_FIELDS = ("ai_relevant", "region", "importance", "category", "junk")


class RealDayError(ValueError):
    pass


@dataclass
class RealDay:
    labels: Path
    snapshot: Path
    rows: list[dict] = field(default_factory=list)
    # Judged items no recorded feed lists: named, never silently dropped from the figures.
    unmatched: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "labels": str(self.labels),
            "snapshot": str(self.snapshot),
            "rows": len(self.rows),
            "unmatched": [{"url": u.get("url"), "title": u.get("title")} for u in self.unmatched],
        }


def row_kind(row: dict) -> str:
    return REAL if row.get("kind") == REAL else AUTHORED


def _entry_text(entry) -> str:
    """The entry's text as the spider keeps it: its full content when the feed has one, else its summary."""
    contents = entry.get("content") or []
    html = contents[0].get("value", "") if contents else entry.get("summary", "")
    return strip_boilerplate(html_to_text(html or ""))


def _norm_title(title: str) -> str:
    return " ".join((title or "").split())


def feed_entries(snapshot: Snapshot) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Every entry of every feed the snapshot recorded, by canonical link and by title."""
    by_url: dict[str, list[dict]] = {}
    by_title: dict[str, list[dict]] = {}
    for record in snapshot.entries.values():
        if int(record.get("status") or 200) != 200:
            continue
        body = snapshot.body(record)
        content_type = (record.get("headers") or {}).get("Content-Type", "")
        feed = read_feed(body, content_type)
        for entry in feed.entries:
            found = {"title": _norm_title(entry.get("title", "")), "text": _entry_text(entry)}
            link = (entry.get("link") or "").strip()
            if link:
                by_url.setdefault(canonical_url(link), []).append(found)
            by_title.setdefault(found["title"], []).append(found)
    return by_url, by_title


def _match(label: dict, by_url: dict, by_title: dict) -> dict | None:
    title = _norm_title(label.get("title", ""))
    same_link = by_url.get(canonical_url(label.get("url") or ""), []) if label.get("url") else []
    # A feed can reuse one link for different stories: the title decides among them.
    for found in same_link:
        if found["title"] == title:
            return found
    if len(same_link) == 1:
        return same_link[0]
    titled = by_title.get(title, [])
    return titled[0] if titled else None


def judged(item: dict) -> bool:
    return bool(item.get("in_window", True)) and item.get("label_quality") != "quick"


def expected_of(item: dict) -> dict:
    expected = {k: item[k] for k in LABELLED_FIELDS if k in item}
    if item.get("region_ambiguous") or expected.get("region") not in ("domestic", "international"):
        expected["region"] = None
    expected["junk"] = bool(item.get("junk"))
    return expected


def load_real_day(labels: str | Path, snapshot: str | Path | None = None) -> RealDay:
    """The judged rows of a real day; the snapshot defaults to the labels file's folder."""
    labels = Path(labels)
    snapshot_dir = Path(snapshot) if snapshot else labels.parent
    try:
        data = json.loads(labels.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RealDayError(f"cannot read labels {labels}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise RealDayError(f"{labels}: not JSON ({exc})") from exc
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise RealDayError(f"{labels}: no 'items' list")
    try:
        by_url, by_title = feed_entries(Snapshot(snapshot_dir))
    except (SnapshotError, OSError) as exc:
        raise RealDayError(f"snapshot {snapshot_dir}: {exc}") from exc
    day = RealDay(labels=labels, snapshot=snapshot_dir)
    name = snapshot_dir.resolve().name
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not judged(item):
            continue
        found = _match(item, by_url, by_title)
        if found is None:
            day.unmatched.append(item)
            continue
        title, text = found["title"] or _norm_title(item.get("title", "")), found["text"]
        day.rows.append(
            {
                "id": f"{name}#{n:03d}",
                "kind": REAL,
                "day": item.get("report_date") or data.get("date"),
                "source": item.get("source", ""),
                "title": title,
                "url": item.get("url", ""),
                "published_at": item.get("published_at") or None,
                # The feeds' own declarations are unreliable (Chinese text under <language>en).
                "lang": detect_lang(f"{title}\n{text}", "en"),
                "text": text,
                "expected": expected_of(item),
            }
        )
    if not day.rows:
        raise RealDayError(f"{labels}: no judged item is in the feeds of snapshot {snapshot_dir}")
    return day
