"""The stored daily reports, as publishing reads them from the `reports` collection.

Each document holds the day's JSON report (`payload`) and its memory records (`entries`: url, keys and
facts of every event). Documents written before the payload was stored fall back to the JSON file the
render wrote, when it is still on disk.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsbot.storage.reports import stored_reports

logger = logging.getLogger(__name__)

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class StoredDay:
    date: str
    generated_at: datetime  # UTC
    cutoff: datetime | None  # UTC, the end of the day's window
    payload: dict  # the JSON report
    memory: dict[str, dict] = field(default_factory=dict)  # lead url -> memory record

    @property
    def entries(self) -> list[dict]:
        return [*self.payload.get("domestic", []), *self.payload.get("international", [])]


def _aware(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _payload_from_files(doc: dict) -> dict | None:
    for name in doc.get("files") or []:
        if str(name).endswith(".json") and Path(name).is_file():
            try:
                return json.loads(Path(name).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                logger.error("Stored report %s: cannot read %s: %s", doc.get("date"), name, exc)
    return None


def _stored_day(doc: dict) -> StoredDay | None:
    payload = doc.get("payload") or _payload_from_files(doc)
    if not isinstance(payload, dict):
        logger.error("Stored report %s has no JSON report (rendered before reports were stored); skipped", doc["date"])
        return None
    generated = _aware(doc.get("generated_at"))
    if generated is None:
        generated = datetime.fromisoformat(payload["generated_at"]).astimezone(UTC)
    memory = {m["url"]: m for m in doc.get("entries") or [] if m.get("url")}
    return StoredDay(doc["date"], generated, _aware(doc.get("cutoff")), payload, memory)


def stored_days(db, first: str | None = None, last: str | None = None) -> list[StoredDay]:
    """Every stored daily report with first <= date <= last (ISO dates), oldest first."""
    docs = stored_reports(db, first, last)
    days = [_stored_day(doc) for doc in docs if _DAY_RE.fullmatch(str(doc.get("date") or ""))]
    return [d for d in days if d is not None]
