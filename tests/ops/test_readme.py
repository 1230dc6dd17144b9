"""The docs' commands as a new shell runs them from the repository root: the virtualenv's programs by path,
and whatever they create inside the repository ignored by git."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from tests.conftest import ROOT
from tests.ops.doc_commands import all_commands

# A program of the virtualenv, named bare at the start of a command or after && ; |
BARE = re.compile(r"(?:^|&&|;|\|)\s*(scrapy|scrapyd|scrapyd-deploy|python3?|pip|pytest)\b")
# Options and copies that name what a command creates.
CREATES = re.compile(r"(?:--output-dir|--output|--to|--build-egg|cp -r \S+)\s+(\S+)")


def created_paths() -> list[tuple[str, str]]:
    """(command, relative path) for each folder or file a doc command creates inside the repository."""
    out = []
    for command in all_commands():
        for target in CREATES.findall(command.text):
            if target.startswith(("/", "~", "$", "{")):
                continue
            out.append((str(command), target))
    return out


def test_every_command_calls_the_virtualenv_by_path():
    bare = [str(c) for c in all_commands() if BARE.search(c.text)]
    assert bare == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(". .venv/bin/activate") == 1, "the README says once how to activate the virtualenv"


def test_what_the_docs_create_is_ignored_by_git():
    created = created_paths()
    targets = {path.rstrip("/") for _, path in created}
    assert {"my-prompts", "site"} <= targets, created
    if not (ROOT / ".git").exists():
        pytest.fail("a git checkout is needed to ask git what it ignores")
    for command, path in created:
        probe = path.rstrip("/") + "/index.html" if not path.endswith(".egg") else path
        done = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", probe], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{command}: {shlex.quote(path)} is not ignored by git"
