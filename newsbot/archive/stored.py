"""The stored daily reports, as publishing reads them from the `reports` collection.

Each document holds the day's JSON report (`payload`) and its memory records (`entries`: url, keys and
facts of every event). Documents written before the payload was stored fall back to the JSON file the
render wrote, when it is still on disk inside the configured output folder (NEWSBOT_OUTPUT_DIR): a
document's `files` are data, and never name what else on the machine gets read. Documents that fail
the `reports` schema never get here (storage/reports.py skips them).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsbot.report.threads import with_thread_tag
from newsbot.storage.report_schema import valid_or_none
from newsbot.storage.reports import stored_reports

logger = logging.getLogger(__name__)


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


def _payload_from_files(doc: dict, output_dir: Path) -> dict | None:
    root = output_dir.resolve()
    for name in doc.get("files") or []:
        path = Path(name).resolve()
        if path.suffix != ".json" or not path.is_file():
            continue
        if not path.is_relative_to(root):
            logger.warning("Stored report %s: %s is outside the output folder %s; not read", doc["date"], name, root)
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.error("Stored report %s: cannot read %s: %s", doc.get("date"), name, exc)
            continue
        # The file is as untrusted as the document: the same schema, the same one WARNING when it fails.
        checked = valid_or_none({"_id": f"{doc.get('_id')} ({name})", "date": doc["date"], "payload": payload})
        if checked is not None:
            return payload
    return None


def _stored_day(doc: dict, output_dir: Path) -> StoredDay | None:
    payload = doc.get("payload") or _payload_from_files(doc, output_dir)
    if not isinstance(payload, dict):
        logger.error("Stored report %s has no JSON report (rendered before reports were stored); skipped", doc["date"])
        return None
    generated = _aware(doc.get("generated_at"))
    if generated is None:
        generated = datetime.fromisoformat(payload["generated_at"]).astimezone(UTC)
    memory = {m["url"]: m for m in doc.get("entries") or [] if m.get("url")}
    # Days stored before threads were tagged get the tag their entries carry today.
    for entry in [*(payload.get("domestic") or []), *(payload.get("international") or [])]:
        if isinstance(entry, dict):
            entry["tags"] = with_thread_tag(entry.get("tags") or [], entry.get("previously"))
    return StoredDay(doc["date"], generated, _aware(doc.get("cutoff")), payload, memory)


def stored_days(db, output_dir, first: str | None = None, last: str | None = None) -> list[StoredDay]:
    """Every stored daily report with first <= date <= last (ISO dates), oldest first, drafts left out. `output_dir`:
    NEWSBOT_OUTPUT_DIR, the only folder whose JSON reports an old document may point at."""
    docs = [doc for doc in stored_reports(db, first, last) if not _draft(doc)]
    return [d for doc in docs if (d := _stored_day(doc, Path(output_dir))) is not None]


def _draft(doc: dict) -> bool:
    # A day whose LLM went down without NEWSBOT_LLM_FALLBACK_OK: kept, but not an issue until re-run.
    if doc.get("status") == "draft":
        logger.info("Stored report %s is a draft; not published", doc["date"])
        return True
    return False
