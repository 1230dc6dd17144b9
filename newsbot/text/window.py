"""The report window of a day.

Report day D (in NEWSBOT_TIMEZONE) covers [cutoff - NEWSBOT_WINDOW_HOURS, cutoff): the
start is inclusive and the cutoff exclusive. With NEWSBOT_DATE=D (`--date D`) the cutoff is D at
NEWSBOT_REPORT_CUTOFF local time; live, the cutoff is now and D is the local date of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from newsbot.config import config_for


@dataclass(frozen=True)
class Window:
    day: date
    start: datetime  # UTC, inclusive
    cutoff: datetime  # UTC, exclusive
    tz: ZoneInfo
    live: bool


def report_window(settings, now: datetime | None = None) -> Window:
    report = config_for(settings).report
    tz = report.timezone
    hours = report.window_hours
    if report.date:
        day = report.date
        cutoff = datetime.combine(day, report.cutoff, tz).astimezone(UTC)
        live = False
    else:
        cutoff = (now or datetime.now(UTC)).astimezone(UTC)
        day = cutoff.astimezone(tz).date()
        live = True
    return Window(day=day, start=cutoff - timedelta(hours=hours), cutoff=cutoff, tz=tz, live=live)
