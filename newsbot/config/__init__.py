"""newsbot's configuration: every setting declared once (sections.py), built and checked once when a
command starts (build.py), and the values several parts share (values.py).

    config_for(crawler).report.timezone        # typed, checked, defaults applied
    problems = check_settings(settings)        # [] when everything is fine
    exit_on_bad_settings(settings)             # prints the first problem and exits 1

`python -m newsbot.config --markdown` writes the table of every setting (docs/settings.md).
"""

from newsbot.config.build import (
    Config,
    SettingsError,
    check_settings,
    config_for,
    did_you_mean,
    exit_on_bad_settings,
    quiet_console,
    set_user_agent,
)

__all__ = [
    "Config",
    "SettingsError",
    "check_settings",
    "config_for",
    "did_you_mean",
    "exit_on_bad_settings",
    "quiet_console",
    "set_user_agent",
]
