"""The configuration: every setting declared once, typed, cached per crawler, documented by a
generated table, and a misspelt name suggested only when it is close."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest
from scrapy.settings import Settings

from newsbot.config import SettingsError, check_settings, config_for, did_you_mean, set_user_agent
from newsbot.config.__main__ import markdown
from newsbot.config.build import DECLARED, declarations
from newsbot.config.values import DEFAULT_TIMEZONE, USER_AGENT_BASE
from tests.shared import ROOT


def project_settings(**values) -> Settings:
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    settings.setdict(values, priority="cmdline")
    return settings


def test_defaults_come_from_the_declarations_typed():
    config = config_for(Settings())
    assert config.report.timezone == ZoneInfo(DEFAULT_TIMEZONE)
    assert config.report.cutoff == time(9, 0)
    assert config.report.formats == ("txt", "md", "html", "json")
    assert config.crawl.worker_processes == "auto" and config.store.batch_size == 100
    assert config.analysis.llm_json_mode_schema is False and config.delivery.channels == {}


def test_command_line_strings_are_parsed_into_their_types():
    config = config_for(
        Settings({"NEWSBOT_REPORT_FORMATS": "txt,json", "NEWSBOT_PUSH_ENABLED": "off", "NEWSBOT_MAX_DOMESTIC": "3"})
    )
    assert config.report.formats == ("txt", "json")
    assert config.delivery.enabled is False and config.report.max_domestic == 3


def test_a_bad_value_raises_the_same_line_the_start_up_check_prints():
    settings = Settings({"NEWSBOT_TIMEZONE": "Mars/Base"})
    with pytest.raises(SettingsError) as raised:
        config_for(settings)
    [problem] = check_settings(settings, environ={})
    assert str(raised.value) == problem
    assert problem.startswith("setting NEWSBOT_TIMEZONE=Mars/Base is not valid: expected an IANA time zone")


def test_settings_py_holds_no_newsbot_default():
    """Defaults are declared once, in newsbot/config/sections.py; settings.py keeps Scrapy's own settings."""
    module = Settings()
    module.setmodule("newsbot.settings")
    assert not [name for name in module.attributes if name.startswith(("NEWSBOT_", "MONGO_"))]
    assert check_settings(project_settings(), environ={}) == []


def test_every_declared_name_is_unique_and_described():
    names = [declared.name for _, _, declared in declarations()]
    assert len(names) == len(set(names)) == len(DECLARED)
    assert all(declared.doc and declared.kind.allowed for declared in DECLARED.values())


def test_a_frozen_settings_object_builds_its_configuration_once():
    settings = Settings({"NEWSBOT_SHORT_TOP": "4"})
    assert config_for(settings) is not config_for(settings)  # still changeable: read afresh
    settings.freeze()
    first = config_for(settings)
    assert config_for(settings) is first and first.report.short_top == 4

    class Crawler:
        pass

    crawler = Crawler()
    crawler.settings = settings
    assert config_for(crawler) is first


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("NEWSBOT_LLM_CONCURENCY", "NEWSBOT_LLM_CONCURRENCY"),
        ("NEWSBOT_TIMEZOME", "NEWSBOT_TIMEZONE"),
        ("NEWSBOT_REPORT_FORMAT", "NEWSBOT_REPORT_FORMATS"),
        ("NEWSBOT_FOO", None),  # shares only the prefix with NEWSBOT_RECORD and the rest
        ("NEWSBOT_RECORDS_DIR", None),
        ("NEWSBOT_X", None),
    ],
)
def test_did_you_mean_only_for_close_names(typed, suggested):
    assert did_you_mean(typed) == suggested


def test_an_unknown_name_without_a_close_one_points_to_the_table():
    [problem] = check_settings(project_settings(NEWSBOT_FOO="1"), environ={})
    assert problem == "unknown setting NEWSBOT_FOO; docs/settings.md lists the known settings"


def test_the_settings_table_is_generated_and_current():
    table = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert table == markdown(), "docs/settings.md is stale: python -m newsbot.config --markdown > docs/settings.md"
    for name in DECLARED:
        assert f"`{name}`" in table
    assert "(docs/settings.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_user_agent_carries_the_operators_contact_and_no_url_of_ours():
    assert "http" not in USER_AGENT_BASE
    settings = project_settings()
    assert settings.get("USER_AGENT") == USER_AGENT_BASE
    set_user_agent(settings, "ops@example.org")
    assert settings.get("USER_AGENT") == "newsbot/1.0 (AI news digest bot; +ops@example.org)"
    own = project_settings(USER_AGENT="MyBot/2 (+https://bot.example.org)")
    set_user_agent(own, "ops@example.org")
    assert own.get("USER_AGENT") == "MyBot/2 (+https://bot.example.org)"
    unset = project_settings()
    set_user_agent(unset, None)
    assert unset.get("USER_AGENT") == USER_AGENT_BASE


def test_a_spider_sends_the_contact():
    from newsbot.spiders.loader import SourceSpiderLoader

    settings = project_settings(NEWSBOT_CONTACT="https://ops.example.org/bot")
    SourceSpiderLoader.from_settings(settings).load("nvidia").update_settings(settings)
    assert settings.get("USER_AGENT") == "newsbot/1.0 (AI news digest bot; +https://ops.example.org/bot)"


def test_the_declared_channel_types_are_the_channels_there_are():
    """The settings check names the types without importing every channel class: the two must agree."""
    from newsbot.config import values
    from newsbot.delivery.channels import CHANNEL_TYPES

    assert set(CHANNEL_TYPES) == set(values.CHANNEL_TYPES)
