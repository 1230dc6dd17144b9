"""`python -m newsbot.config --markdown > docs/settings.md`: the table of every setting, by section."""

from __future__ import annotations

import argparse
import json

from newsbot.config.build import declarations
from newsbot.config.sections import SECTIONS


def _default(value) -> str:
    if value is None or value in ("", [], {}):
        return "unset"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return json.dumps(value) if isinstance(value, dict) else str(value)


def markdown() -> str:
    lines = [
        "# Settings",
        "",
        "Every setting newsbot reads. Set one with `-s NAME=VALUE` or in `newsbot/settings.py`; never in the",
        "environment, which holds only secrets and connection strings. A bad value stops every command with",
        "one line naming the setting, the value and what is allowed.",
        "",
        "Generated from `newsbot/config/sections.py` by `python -m newsbot.config --markdown > docs/settings.md`;",
        "a test fails when this file is out of date.",
    ]
    current = None
    for section, _field, declared in declarations():
        if section != current:
            current = section
            lines += ["", f"## {section}", "", SECTIONS[section].__doc__.strip(), ""]
            lines += ["| setting | default | allowed | what it does |", "|---|---|---|---|"]
        default = "Scrapy's" if declared.scrapy else _default(declared.default)
        allowed, doc = (text.replace("|", "\\|") for text in (declared.kind.allowed, declared.doc))
        lines.append(f"| `{declared.name}` | {default} | {allowed} | {doc} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m newsbot.config", description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print the settings table as Markdown")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(), end="")
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
