"""Report test helpers: project settings for a day, and the bundled-day digest run once per session."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings


def day_settings(**overrides) -> Settings:
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    settings.set("NEWSBOT_ANALYZER", "heuristic", priority="cmdline")
    settings.set("NEWSBOT_DATE", "2026-02-04", priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


@pytest.fixture
def settings_for():
    return day_settings
