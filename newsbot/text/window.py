"""The report window of a day.

Report day D (NEWSBOT_TIMEZONE, Asia/Shanghai) covers [cutoff - NEWSBOT_WINDOW_HOURS, cutoff): the
start is inclusive and the cutoff exclusive. With NEWSBOT_DATE=D (`--date D`) the cutoff is D at
NEWSBOT_REPORT_CUTOFF local time; live, the cutoff is now and D is the local date of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    day: date
    start: datetime  # UTC, inclusive
    cutoff: datetime  # UTC, exclusive
    tz: ZoneInfo
    live: bool


def _parse_hhmm(value: str) -> time:
    try:
        hours, minutes = (int(x) for x in str(value).strip().split(":"))
        return time(hours, minutes)
    except ValueError as exc:
        raise ValueError(f"NEWSBOT_REPORT_CUTOFF must be HH:MM, not {value!r}") from exc


def report_window(settings, now: datetime | None = None) -> Window:
    tz = ZoneInfo(settings.get("NEWSBOT_TIMEZONE") or "Asia/Shanghai")
    hours = settings.getfloat("NEWSBOT_WINDOW_HOURS", 24)
    day_setting = settings.get("NEWSBOT_DATE")
    if day_setting:
        day = day_setting if isinstance(day_setting, date) else date.fromisoformat(str(day_setting))
        cutoff_time = _parse_hhmm(settings.get("NEWSBOT_REPORT_CUTOFF") or "09:00")
        cutoff = datetime.combine(day, cutoff_time, tz).astimezone(UTC)
        live = False
    else:
        cutoff = (now or datetime.now(UTC)).astimezone(UTC)
        day = cutoff.astimezone(tz).date()
        live = True
    return Window(day=day, start=cutoff - timedelta(hours=hours), cutoff=cutoff, tz=tz, live=live)
