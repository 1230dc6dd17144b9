"""The configuration built from Scrapy settings, checked once when a command starts.

Where values come from (the one rule, also in README.md and docs/operations.md): `-s NAME=VALUE`
and newsbot/settings.py; a setting set in neither has its declared default (newsbot.config.sections).
NEWSBOT_* settings are never read from the environment; the environment holds only secrets and
connection strings (OPENAI_API_KEY, OPENAI_BASE_URL, MONGO_URI, the channels' secrets and
SCRAPYD_USERNAME/PASSWORD). An environment variable named like a setting would be silently ignored, so
it is an error too.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from newsbot.config.sections import SECTIONS, Analysis, Crawl, Declared, Delivery, Health, Publish, Report, Store
from newsbot.config.values import USER_AGENT_BASE, user_agent

PREFIX = "NEWSBOT_"


class SettingsError(ValueError):
    """A setting's value is not allowed: the message is the one line a user sees."""


@dataclass(frozen=True)
class Config:
    crawl: Crawl
    store: Store
    analysis: Analysis
    report: Report
    publish: Publish
    delivery: Delivery
    health: Health


def declarations() -> Iterator[tuple[str, str, Declared]]:
    """(section, field, declaration) of every setting, in the order of the table."""
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            yield section, f.name, f.metadata["setting"]


DECLARED: dict[str, Declared] = {d.name: d for _, _, d in declarations()}


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _raw(settings, declared: Declared) -> Any:
    value = settings.get(declared.name)
    return declared.default if value is None else value


def _parse(settings, declared: Declared, strict: bool = False) -> Any:
    value = _raw(settings, declared)
    try:
        return declared.kind(value, strict)
    except ValueError as exc:
        raise SettingsError(f"setting {declared.name}={_shown(value)} is not valid: expected {exc}") from None


def build_config(settings) -> Config:
    """Every section from SETTINGS (a Scrapy Settings); SettingsError on the first bad value."""
    built = {}
    for section, cls in SECTIONS.items():
        built[section] = cls(**{f.name: _parse(settings, f.metadata["setting"]) for f in fields(cls)})
    return Config(**built)


def config_for(crawler_or_settings) -> Config:
    """The configuration of a crawler, a command or a Settings object. Frozen settings (a crawler's)
    cannot change, so theirs is built once and kept on them; others are read afresh each time."""
    settings = getattr(crawler_or_settings, "settings", crawler_or_settings)
    cached = settings.__dict__.get("_newsbot_config")
    if cached is not None and getattr(settings, "frozen", False):
        return cached
    config = build_config(settings)
    if getattr(settings, "frozen", False):
        settings.__dict__["_newsbot_config"] = config
    return config


def did_you_mean(name: str) -> str | None:
    """The declared setting NAME is probably a misspelling of; only a close one, compared without the
    shared prefix (which would make every NEWSBOT_ name look alike)."""
    bare = {known.removeprefix(PREFIX): known for known in DECLARED}
    close = difflib.get_close_matches(name.removeprefix(PREFIX), list(bare), n=1, cutoff=0.8)
    return bare[close[0]] if close else None


def check_settings(settings, environ: dict | None = None) -> list[str]:
    """Every problem with the newsbot settings, one line each (empty when all is well)."""
    problems = []
    environ = os.environ if environ is None else environ
    for name in sorted(environ):
        if name in DECLARED and name.startswith(PREFIX):
            problems.append(
                f"{name} is set in the environment, where it is ignored: newsbot settings come only from "
                f"-s {name}=VALUE or newsbot/settings.py (the environment holds only secrets and MONGO_URI)"
            )
    for name in sorted(k for k in settings.attributes if k.startswith(PREFIX)):
        if name not in DECLARED:
            close = did_you_mean(name)
            hint = f"; did you mean {close}?" if close else "; docs/settings.md lists the known settings"
            problems.append(f"unknown setting {name}{hint}")
    invalid: set[str] = set()
    for declared in DECLARED.values():
        try:
            _parse(settings, declared, strict=True)
        except SettingsError as exc:
            problems.append(str(exc))
            invalid.add(declared.name)
    return problems + _unknown_sources(settings, invalid)


# Settings whose names must be sources: the built-ins plus NEWSBOT_SOURCES_FILE's, before NEWSBOT_SOURCES limits them.
SOURCE_NAME_SETTINGS = ("NEWSBOT_SOURCES", "NEWSBOT_PLAYWRIGHT_SOURCES")


def _unknown_sources(settings, already: set[str]) -> list[str]:
    from newsbot.sources.catalog import SourcesError, disabled_sources, load_sources, names_problem

    names = {name: _parse(settings, DECLARED[name]) for name in SOURCE_NAME_SETTINGS if name not in already}
    if not any(names.values()):
        return []
    try:
        files = (
            _parse(settings, DECLARED["NEWSBOT_SOURCES_FILE"]),
            list(_parse(settings, DECLARED["NEWSBOT_PARSER_PACKAGES"])),
        )
        enabled = load_sources(files[0], packages=files[1])
        disabled = disabled_sources(*files)
    except (SourcesError, SettingsError):
        return []  # the loader (or the line above) reports the file
    problems = []
    for name, listed in names.items():
        if problem := names_problem(listed, enabled, set(enabled) | disabled):
            problems.append(
                f"setting {name}={_shown(_raw(settings, DECLARED[name]))} is not valid: expected a comma-separated "
                f"list of spider names of enabled sources (`scrapy list`); {problem}"
            )
    return problems


def exit_on_bad_settings(settings) -> Config:
    """Called by every newsbot command before it does anything: the configuration, or exit 1 on the
    first problem. The line also goes to LOG_FILE when there is one: a scrapyd job's stderr is not in
    its log, and `scrapy schedule` reads the log to say why a job failed."""
    problems = check_settings(settings)
    if not problems:
        return build_config(settings)
    line = f"newsbot: error: {problems[0]}"
    print(line, file=sys.stderr)
    log_file = settings.get("LOG_FILE")
    if log_file:
        try:
            with open(log_file, "a", encoding="utf-8") as fh:
                fh.write(f"[newsbot] ERROR: {problems[0]}\n")
        except OSError:
            pass
    sys.exit(1)


def quiet_console(settings) -> None:
    """A command whose output a person reads (`scrapy digest`): the console shows warnings and what the
    command prints, not Scrapy's INFO lines (its middlewares and one stats dump per spider). A LOG_LEVEL
    given on the command line (-L, -s) or a LOG_FILE keeps the full log; `runs` keeps every stat."""
    from scrapy.settings import SETTINGS_PRIORITIES

    cmdline = SETTINGS_PRIORITIES["cmdline"]
    if settings.getpriority("LOG_LEVEL") < cmdline and not settings.get("LOG_FILE"):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")


def set_user_agent(settings, contact: str | None) -> None:
    """Put the operator's contact (NEWSBOT_CONTACT) in a crawler's User-Agent, unless USER_AGENT was set
    to something other than newsbot's own: an operator's own User-Agent is sent as written."""
    if contact and settings.get("USER_AGENT") == USER_AGENT_BASE:
        settings.set("USER_AGENT", user_agent(contact), priority="spider")
