"""Log formatting: a dropped item is logged by its reason alone, not with its whole text."""

from __future__ import annotations

import logging

from scrapy import logformatter


class NewsbotLogFormatter(logformatter.LogFormatter):
    def dropped(self, item, exception, response, spider=None):
        return {"level": logging.INFO, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
