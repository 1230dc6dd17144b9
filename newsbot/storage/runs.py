"""The `runs` collection: one document per spider run (newsbot.runs.stat_keys.RunSummary), newest last."""

from __future__ import annotations

from datetime import datetime

from pymongo import DESCENDING

from newsbot.runs.stat_keys import RunSummary


async def record_run(db, run: RunSummary) -> None:
    await db.runs.insert_one(run.as_doc())


def latest_runs(db, source: str, until: datetime, limit: int) -> list[dict]:
    """The source's last `limit` runs that finished by `until`, newest first."""
    cursor = db.runs.find({"source": source, "finished_at": {"$lte": until}}, {"_id": 0})
    return list(cursor.sort([("finished_at", DESCENDING)]).limit(limit))


def runs_between(db, start: datetime, end: datetime) -> list[dict]:
    """Every source's runs that finished in [start, end], whole: the embedded database sends a whole
    document faster than it projects one."""
    return list(db.runs.find({"finished_at": {"$gte": start, "$lte": end}}))


def runs_of_jobs(db, jobids) -> dict[str, dict]:
    """The run record each scrapyd job wrote, by job id (a job that crashed early wrote none)."""
    return {doc["job"]: doc for doc in db.runs.find({"job": {"$in": list(jobids)}}, {"_id": 0, "counters": 0})}


def latest_runs_for_day(db, sources, day: str, start: datetime, cutoff: datetime) -> dict[str, dict]:
    """Each source's latest run made for report day `day`, whenever it finished; for runs recorded
    before runs knew their day, the latest that finished inside [start, cutoff). One query for all
    the sources: the embedded database answered a query per source with a scan of the whole runs
    collection, once per source."""
    wanted = set(sources)
    query = {
        "$or": [
            {"report_day": day},
            {"report_day": {"$exists": False}, "finished_at": {"$gte": start, "$lt": cutoff}},
        ]
    }
    latest: dict[str, dict] = {}
    for doc in db.runs.find(query).sort([("finished_at", DESCENDING)]):
        if doc.get("source") in wanted:
            latest.setdefault(doc["source"], doc)
    return latest
