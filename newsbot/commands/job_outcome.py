"""How a scrapyd job really ended, for `scrapy schedule`: scrapyd's `finished` list holds crashed
and cancelled jobs too, so the truth comes from the run record the job wrote (`runs`, by job id)
and, for a job that wrote none, from the last error line of its scrapyd log."""

from __future__ import annotations

import re
import sys
from datetime import datetime

import httpx

from newsbot.storage.connection import sync_db
from newsbot.storage.errors import StoreError, StoreUnavailable, short_error
from newsbot.storage.runs import runs_of_jobs

# Lines of a job log that say why it died, most telling first.
_NEWSBOT_ERROR = re.compile(r"\[newsbot\] ERROR: (.+)")
_EXCEPTION = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Unavailable)\w*): (.+)$")
_LOGGED_ERROR = re.compile(r"\] (?:ERROR|CRITICAL): (.+)")
# A run that reached its feed but stored nothing because of it.
FAILED_STATUSES = {"error": "its feeds failed", "blocked": "its feeds were blocked"}


def run_problem(run: dict | None) -> str | None:
    if run is None:
        return "it crashed before recording its run"
    reason = run.get("close_reason")
    if reason and reason != "finished":
        return f"it stopped early ({reason})"
    status = run.get("status")
    if "feeds_read" in run and not run["feeds_read"] and status not in FAILED_STATUSES:
        return "none of its feeds could be read"
    if status in FAILED_STATUSES:
        seen, stored = int(run.get("items_seen") or 0), int(run.get("stored") or 0)
        return f"{FAILED_STATUSES[status]} ({seen} items seen, {stored} stored)"
    return None


def log_reason(text: str) -> str | None:
    """The one line of a scrapy log that best says why the job failed."""
    lines = text.splitlines()
    for pattern in (_NEWSBOT_ERROR, _EXCEPTION, _LOGGED_ERROR):
        for line in reversed(lines):
            match = pattern.search(line.strip())
            if match:
                found = ": ".join(match.groups()) if pattern is _EXCEPTION else match.group(1)
                return found.strip()[:300]
    return None


def duration(job: dict | None) -> str:
    try:
        start = datetime.fromisoformat(job["start_time"])
        end = datetime.fromisoformat(job["end_time"])
    except (KeyError, TypeError, ValueError):
        return ""
    return f" in {(end - start).total_seconds():.1f}s"


class JobOutcomes:
    """Reports each finished job as ok or failed (by name), reading its run record from MongoDB."""

    def __init__(self, settings):
        self.settings = settings
        self.failed: list[str] = []
        self.ok: list[str] = []
        self._client = self._db = None
        self._db_error: str | None = None

    def _records(self, jobid: str) -> dict | None:
        if self._db is None and self._db_error is None:
            try:
                self._client, self._db = sync_db(self.settings)
            except (StoreUnavailable, OSError) as exc:
                self._db_error = str(exc)
        if self._db is None:
            raise StoreUnavailable(self._db_error or "no database")
        try:
            return runs_of_jobs(self._db, [jobid]).get(jobid)
        except StoreError as exc:
            raise StoreUnavailable(short_error(exc)) from exc

    def report(self, node, jobid: str, name: str, job: dict | None) -> None:
        where = f"on {node.safe_url} (job {jobid})"
        try:
            run = self._records(jobid)
        except StoreUnavailable as exc:
            print(f"newsbot: error: {name} {where}: cannot read its run record: {exc}", file=sys.stderr)
            self.failed.append(name)
            return
        problem = run_problem(run)
        if problem is None:
            seen, stored, new = (int(run.get(k) or 0) for k in ("items_seen", "stored", "new"))
            print(f"{name} ok{duration(job)}: {seen} items seen, {stored} stored, {new} new ({run.get('status')})")
            self.ok.append(name)
            return
        if run is None and job is not None:
            reason = self._log_reason(node, job)
            problem += f": {reason}" if reason else "; its scrapyd log says nothing more"
        print(f"newsbot: error: {name} failed {where}: {problem}", file=sys.stderr)
        self.failed.append(name)

    @staticmethod
    def _log_reason(node, job: dict) -> str | None:
        log_url = job.get("log_url")
        if not log_url:
            return None
        try:
            response = node.client.get(node.url + log_url.lstrip("/"))
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        return log_reason(response.text[-200_000:])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
