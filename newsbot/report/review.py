"""The review workflow of a stored day, with NEWSBOT_REQUIRE_APPROVAL on: every render is a draft
(status "draft", which `scrapy publish` and the feed leave out) and its push is one "draft ready"
line; an editor's approval (`scrapy desk`, `scrapy report --date D --approve`) pushes the day and
marks it for the site. An approval holds for the day's edit version it saw: a re-render without new
edits stays approved, an edit after approval makes the day a draft again, and its new approval pushes
only the entries that changed since, each marked 更正.

A day stored while the setting was off (no status) went out as it was rendered: turning the setting on
does not take it back. Re-rendered with no new edit it stays as published, not a draft; an edit after
it makes it a draft like an approved day's, and its approval pushes only the entries changed since the
version that went out.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from newsbot.config import config_for
from newsbot.storage.edits import day_version
from newsbot.storage.reports import mark_approved, stored_review

CORRECTION = "【更正】"
REVIEW_FIELDS = ("status", "approved_at", "approved_by", "approved_version", "approved_entries")


def review_fields(settings, db, day: str) -> dict:
    """The review fields the day's new document keeps or gets: still approved when no edit came
    after the approval; a draft awaiting approval when the setting is on; nothing otherwise."""
    prior = stored_review(db, day)
    kept = {k: prior[k] for k in REVIEW_FIELDS[1:] if k in prior}
    version = day_version(db, day)
    if prior.get("status") == "approved" and prior.get("approved_version") == version:
        return {**kept, "status": "approved"}
    if not config_for(settings).report.require_approval:
        return {}
    if sent_without_approval(prior):
        # What went out is what an approval corrects: only the entries changed since, as 更正 (none
        # when nothing was edited, so approving such a day does not send it twice).
        kept.setdefault("approved_entries", fingerprints(prior.get("payload") or {}))
        if rendered_version(prior) == version:
            return kept
    return {**kept, "status": "draft", "awaiting_approval": True}


def sent_without_approval(prior: dict) -> bool:
    """Whether the stored day was rendered while NEWSBOT_REQUIRE_APPROVAL was off: every render with it
    on, and every LLM-fallback draft, stores a status; such a day was published (and pushed) as rendered."""
    return bool(prior) and not prior.get("status")


def rendered_version(prior: dict) -> int:
    """The day's edit version the stored report was rendered with (its JSON says so only when edited)."""
    edits = ((prior.get("payload") or {}).get("stats") or {}).get("edits") or {}
    version = edits.get("version")
    return version if isinstance(version, int) else 0


def fingerprints(payload: dict) -> dict[str, str]:
    """url -> a digest of what a reader sees of the entry (its rank aside)."""
    out = {}
    for entry in [*payload.get("domestic", []), *payload.get("international", [])]:
        seen = {k: v for k, v in entry.items() if k != "rank"}
        out[entry["url"]] = hashlib.sha256(json.dumps(seen, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return out


def correction_payload(payload: dict, before: dict[str, str]) -> dict:
    """The payload with only the entries new or changed since the approved fingerprints, marked 更正."""
    now = fingerprints(payload)
    out = dict(payload)
    for key in ("domestic", "international"):
        out[key] = [
            {**e, "title": CORRECTION + e["title"]}
            for e in payload.get(key, [])
            if before.get(e["url"]) != now[e["url"]]
        ]
    out["overview"] = ""
    return out


def draft_notice(day: str) -> str:
    return f"newsbot：{day} 日报草稿已就绪，等待编辑审核批准后发送（scrapy desk --date {day}）"


def approve_day(settings, editor: str) -> tuple[str, bool]:
    """Render the day NEWSBOT_DATE names with every edit, mark it approved and push it (only the
    changed entries, marked 更正, when an earlier approval was already pushed); one line saying so, and whether every
    channel took the push."""
    from newsbot.delivery import push_report
    from newsbot.report.daily import publish_day, push_unavailable, undelivered
    from newsbot.storage.connection import sync_db

    published = publish_day(settings)
    day = published.report.date
    payload = published.report.payload()
    client, db = sync_db(settings)
    try:
        before = stored_review(db, day).get("approved_entries")
        mark_approved(db, day, editor, day_version(db, day), datetime.now(UTC), fingerprints(payload))
    finally:
        client.close()
    published.awaiting_approval = False
    if push_unavailable(settings):
        return f"{day} 已批准并重新生成（未推送：{push_unavailable(settings)}）", True
    if isinstance(before, dict):
        correction = correction_payload(payload, before)
        changed = len(correction["domestic"]) + len(correction["international"])
        if not changed:
            return f"{day} 已再次批准；与上次批准相比没有改动，未推送", True
        problem = undelivered(push_report(settings, correction), day)
        done = f"{day} 已再次批准，推送了 {changed} 条更正"
    else:
        from newsbot.report.daily import push_published

        problem = undelivered(push_published(settings, published), day)
        done = f"{day} 已批准、重新生成并推送"
    return done + (f"；推送未全部成功：{problem}" if problem else ""), problem is None
