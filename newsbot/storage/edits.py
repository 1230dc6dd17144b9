"""The `edits` collection: an editor's corrections of a report day, one document per change.

    {day, url, field, value, editor, at, version}

`field` is one of FIELDS; `value` its new value (a drop's reason, an importance, a region, a text, a
list of tags, a position). Each day has a version, raised by every saved edit: a save names the
version the editor's page showed, and is refused when someone else changed the same story since
(EditConflict), so the second editor's change is never silently lost. The day's version is kept in
one counter document per day ({"day": D, "counter": True, "version": n}).

Read defensively, like `reports`: a document that fails the schema is skipped with one WARNING
naming the collection, its id and the problem, and counted (report_schema.skipped_documents).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from newsbot.storage.report_schema import note_skipped, problem_of

COLLECTION = "edits"
DROP_REASONS = ("not_ai", "not_important", "duplicate", "wrong_day", "junk")
FIELDS = ("drop", "restore", "promote", "importance", "region", "summary", "reason", "tags", "order")
IMPORTANCES = ("high", "medium", "low")
REGIONS = ("domestic", "international")
TEXT_LIMIT = 2000


class InvalidEdit(ValueError):
    """An edit that is not one of the kinds above, or whose value does not fit its field."""


class EditConflict(RuntimeError):
    """Someone else changed the same story of the day after the version the editor saw."""

    def __init__(self, day: str, url: str, seen: int, current: int, by: str):
        self.day, self.url, self.seen, self.current, self.by = day, url, seen, current, by
        super().__init__(f"{url} of {day} was changed by {by} (version {current}) after version {seen}")


class Edit(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")

    day: str
    url: str
    field: str
    value: Any = None
    editor: str = ""
    at: datetime | None = None
    version: int = 0

    @model_validator(mode="after")
    def _fits(self) -> Edit:
        check_value(self.field, self.value)
        return self


def check_value(field: str, value: Any) -> None:
    """InvalidEdit unless `value` is what `field` takes."""
    ok = {
        "drop": lambda v: v in DROP_REASONS,
        "restore": lambda v: v is True,
        "promote": lambda v: v is True,
        "importance": lambda v: v in IMPORTANCES,
        "region": lambda v: v in REGIONS,
        "summary": lambda v: isinstance(v, str) and 0 < len(v.strip()) <= TEXT_LIMIT,
        "reason": lambda v: isinstance(v, str) and len(v) <= TEXT_LIMIT,
        "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) and t for t in v) and len(v) <= 20,
        "order": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000,
    }.get(field)
    if ok is None:
        raise InvalidEdit(f"no such edit: {field!r} (one of {', '.join(FIELDS)})")
    if not ok(value):
        raise InvalidEdit(f"not a value for {field}: {value!r}")


def _valid(doc: dict) -> dict | None:
    try:
        Edit.model_validate(doc)
    except (ValidationError, InvalidEdit) as exc:
        problem = problem_of(exc) if isinstance(exc, ValidationError) else str(exc)
        note_skipped(COLLECTION, str(doc.get("_id")), doc.get("day"), problem)
        return None
    return doc


def day_edits(db, day: str) -> list[dict]:
    """The valid edits of DAY, oldest first (a later edit of the same story and field wins)."""
    cursor = db[COLLECTION].find({"day": day, "counter": {"$ne": True}}).sort("version", 1)
    return [d for d in cursor if _valid(d) is not None]


def edits_since(db, since: str | None = None) -> list[dict]:
    """Every valid edit of a day >= since (all days when None), by day then version."""
    query: dict = {"counter": {"$ne": True}}
    if since:
        query["day"] = {"$gte": since}
    return [d for d in db[COLLECTION].find(query).sort([("day", 1), ("version", 1)]) if _valid(d) is not None]


def day_version(db, day: str) -> int:
    doc = db[COLLECTION].find_one({"day": day, "counter": True}) or {}
    version = doc.get("version")
    return version if isinstance(version, int) else 0


# One desk process serves several editors from a thread pool: the check and the write are one step.
_save_lock = threading.Lock()


def save_edit(db, day: str, url: str, field: str, value: Any, editor: str, seen: int) -> int:
    """Store one edit made on a page showing version `seen` of DAY; the day's new version.
    EditConflict when the same story was changed after `seen` (by another editor, or in another tab);
    InvalidEdit for a bad value."""
    check_value(field, value)
    with _save_lock:
        later = db[COLLECTION].find_one(
            {"day": day, "url": url, "version": {"$gt": seen}, "counter": {"$ne": True}}, sort=[("version", -1)]
        )
        if later is not None:
            raise EditConflict(day, url, seen, int(later.get("version") or 0), str(later.get("editor") or "?"))
        version = day_version(db, day) + 1
        db[COLLECTION].update_one({"day": day, "counter": True}, {"$set": {"version": version}}, upsert=True)
        db[COLLECTION].insert_one(
            {
                "day": day,
                "url": url,
                "field": field,
                "value": value,
                "editor": editor,
                "at": datetime.now(UTC),
                "version": version,
            }
        )
    return version


def delete_day_edits(db, day: str) -> int:
    """Remove every edit of DAY (and its version); how many edits there were."""
    removed = db[COLLECTION].delete_many({"day": day, "counter": {"$ne": True}}).deleted_count
    db[COLLECTION].delete_many({"day": day})
    return removed


def latest_by_story(edits: list[dict]) -> dict[str, dict[str, Any]]:
    """url -> {field: value} with each field's latest value; a restore undoes the drop before it."""
    out: dict[str, dict[str, Any]] = {}
    for edit in edits:
        changes = out.setdefault(edit["url"], {})
        if edit["field"] == "restore":
            changes.pop("drop", None)
        else:
            changes[edit["field"]] = edit["value"]
    return out
