"""Log formatting: a dropped item is logged by its reason alone, not with its whole text; and the
configured LOG_LEVEL as a number, for whoever filters records before Scrapy's handler sees them."""

from __future__ import annotations

import logging

from scrapy import logformatter


class NewsbotLogFormatter(logformatter.LogFormatter):
    def dropped(self, item, exception, response, spider=None):
        return {"level": logging.INFO, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}


def log_level(settings) -> int:
    """LOG_LEVEL as logging's number (DEBUG when it names no level, as Scrapy reads it)."""
    level = logging.getLevelName(str(settings.get("LOG_LEVEL") or "DEBUG").upper())
    return level if isinstance(level, int) else logging.DEBUG
