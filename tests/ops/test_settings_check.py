"""Every setting is checked once when a command starts: a bad value is one line naming the setting,
the value and what is allowed, and exit status 1, for every newsbot command."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from newsbot.config import check_settings
from newsbot.config.build import DECLARED
from tests.conftest import run_scrapy, scrapy_env


def project_settings(**values) -> Settings:
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    settings.setdict(values, priority="cmdline")
    return settings


def test_every_newsbot_setting_has_a_rule_and_the_defaults_pass():
    settings = project_settings()
    names = {k for k in settings.attributes if k.startswith("NEWSBOT_")}
    assert names <= set(DECLARED), names - set(DECLARED)
    assert check_settings(settings, environ={}) == []


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("NEWSBOT_LLM_CONCURRENCY", "abc", "an integer of at least 1"),
        ("NEWSBOT_LLM_CONCURRENCY", "0", "an integer of at least 1"),
        ("NEWSBOT_ANALYZER", "gpt", "one of auto, llm, heuristic"),
        ("NEWSBOT_LLM_METHOD", "json", "one of json_schema, json_mode, function_calling"),
        ("NEWSBOT_CHANNELS", "{not json", "a JSON object"),
        ("NEWSBOT_CHANNELS", '{"x": {"type": "telegram"}}', "unknown type 'telegram'"),
        ("NEWSBOT_REPORT_CUTOFF", "9am", "HH:MM"),
        ("NEWSBOT_TIMEZONE", "Mars/Base", "IANA time zone"),
        ("NEWSBOT_DATE", "2026-13-01", "YYYY-MM-DD"),
        ("NEWSBOT_REPORT_FORMATS", "txt,pdf", "txt, md, html, json"),
        ("NEWSBOT_PLAYWRIGHT_SOURCES", "qbitai,nosuch", "spider names"),
        ("NEWSBOT_PLAYWRIGHT_SOURCES", "Bad Name", "spider names"),
        ("NEWSBOT_SOURCES", "nvidia,nosuch", "no source is named nosuch"),
        ("NEWSBOT_CONCURRENT_SOURCES", "0", "an integer of at least 1"),
        ("NEWSBOT_ANALYSIS_CONCURRENCY", "many", "an integer of at least 1"),
        ("NEWSBOT_WORKER_PROCESSES", "many", "auto or an integer of at least 0"),
        ("NEWSBOT_WORKER_PROCESSES", "-1", "auto or an integer of at least 0"),
        ("NEWSBOT_STORE_BATCH_SIZE", "0", "an integer of at least 1"),
        ("NEWSBOT_STORE_BATCH_DELAY", "-1", "a number of at least 0"),
        ("NEWSBOT_SOURCES_FILE", "  ", "a path to a sources file"),
        ("NEWSBOT_PUSH_ENABLED", "maybe", "True or False"),
        ("NEWSBOT_LLM_TEMPERATURE", "3", "from 0 to 2"),
        ("NEWSBOT_HEALTH_QUIET", '{"arxiv": {"weekdays": ["Saturday"]}}', "weekdays"),
        ("MONGO_DATABASE", "my db", "MongoDB database name"),
        ("NEWSBOT_SNAPSHOT", "no/such/folder", "manifest.jsonl"),
    ],
)
def test_a_bad_value_names_the_setting_the_value_and_what_is_allowed(name, value, allowed):
    [problem] = check_settings(project_settings(**{name: value}), environ={})
    assert problem.startswith(f"setting {name}={value} is not valid: expected ")
    assert allowed in problem


def test_source_names_are_checked_against_the_users_sources_file_too(tmp_path):
    user = tmp_path / "sources.toml"
    user.write_text(
        '[[source]]\nname = "example-ai"\ndisplay_name = "Example AI"\n'
        'feeds = ["https://example.org/feed.xml"]\nlang = "en"\n',
        encoding="utf-8",
    )
    named = {"NEWSBOT_SOURCES": "example-ai,nvidia", "NEWSBOT_PLAYWRIGHT_SOURCES": "example-ai"}
    assert check_settings(project_settings(NEWSBOT_SOURCES_FILE=str(user), **named), environ={}) == []
    problems = check_settings(project_settings(**named), environ={})
    assert [p.split("=", 1)[0] for p in problems] == ["setting NEWSBOT_SOURCES", "setting NEWSBOT_PLAYWRIGHT_SOURCES"]
    assert all(p.endswith("no source is named example-ai") for p in problems)


def test_a_misspelt_setting_is_named_with_the_likely_one():
    [problem] = check_settings(project_settings(NEWSBOT_LLM_CONCURENCY="4"), environ={})
    assert problem == "unknown setting NEWSBOT_LLM_CONCURENCY; did you mean NEWSBOT_LLM_CONCURRENCY?"


def test_a_setting_in_the_environment_is_refused_not_ignored():
    [problem] = check_settings(project_settings(), environ={"NEWSBOT_DATA_DIR": "/srv/x", "NEWSBOT_DING_URL": "u"})
    assert problem.startswith("NEWSBOT_DATA_DIR is set in the environment, where it is ignored")
    assert "-s NEWSBOT_DATA_DIR=VALUE" in problem


@pytest.mark.slow  # real scrapy processes
@pytest.mark.parametrize(
    "command",
    [
        ("report", "--date", "2026-02-04"),
        ("crawl", "nvidia"),
        ("digest", "--sources", "nvidia"),
        ("sources",),
        ("schedule", "--url", "http://127.0.0.1:9"),
        ("evalprompts", "--dataset", "tests/data/golden.jsonl"),
    ],
)
def test_every_command_exits_1_with_one_line(command):
    done = run_scrapy(*command, "-s", "NEWSBOT_LLM_CONCURRENCY=abc", timeout=120)
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stderr.strip().splitlines() == [
        "newsbot: error: setting NEWSBOT_LLM_CONCURRENCY=abc is not valid: expected an integer of at least 1"
    ]


@pytest.mark.slow  # real scrapy processes
def test_an_environment_setting_stops_the_command(tmp_path):
    done = run_scrapy("report", "--date", "2026-02-04", env=scrapy_env(NEWSBOT_DATA_DIR=str(tmp_path)), timeout=120)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("newsbot: error: NEWSBOT_DATA_DIR is set in the environment")
    assert not (tmp_path / "secantus.json").exists()
