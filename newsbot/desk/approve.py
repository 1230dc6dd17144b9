"""Approving a day from the desk: render it again with every edit, mark it approved at the day's
edit version, and push it to the configured channels (when pushing is on)."""

from __future__ import annotations

from datetime import UTC, datetime

from newsbot.report.daily import publish_day, push_published, push_unavailable, undelivered
from newsbot.storage.connection import sync_db
from newsbot.storage.edits import day_version
from newsbot.storage.reports import mark_approved


def approve_day(settings, editor: str) -> str:
    """Render, mark and push the day NEWSBOT_DATE names; one line saying what happened."""
    published = publish_day(settings)
    day = published.report.date
    client, db = sync_db(settings)
    try:
        mark_approved(db, day, editor, day_version(db, day), datetime.now(UTC))
    finally:
        client.close()
    if push_unavailable(settings):
        return f"{day} 已批准并重新生成（未推送：推送未配置）"
    problem = undelivered(push_published(settings, published), day)
    return f"{day} 已批准、重新生成并推送" + (f"；推送未全部成功：{problem}" if problem else "")
