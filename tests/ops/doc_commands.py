"""Shell commands as the docs show them: every fenced `sh`/`bash`/`console`/`crontab` block (and any
indented block of commands) of README.md, docs/*.md and prompts/README.md, one command per entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "prompts" / "README.md"]
SHELL = {"sh", "bash", "shell", "console", "crontab"}
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
INDENTED_COMMAND = re.compile(r"^ {4}(\.venv/|scrapy |scrapyd|scripts/)")


@dataclass(frozen=True)
class Command:
    doc: str  # path relative to the repository
    line: int
    lang: str
    text: str
    expected_output: tuple[str, ...] = ()  # console blocks: the lines shown after the command

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.text}"


def _join_continuations(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, text in lines:
        if pending is not None:
            number, text = pending[0], pending[1] + " " + text.strip()
        if text.rstrip().endswith("\\"):
            pending = (number, text.rstrip()[:-1].rstrip())
            continue
        pending = None
        out.append((number, text))
    return out


def _block_commands(doc: str, lang: str, lines: list[tuple[int, str]]) -> list[Command]:
    commands = []
    if lang == "console":
        for i, (number, text) in enumerate(lines):
            if text.startswith("$ "):
                output = []
                for _, following in lines[i + 1 :]:
                    if following.startswith("$ "):
                        break
                    output.append(following)
                commands.append(Command(doc, number, lang, text[2:].strip(), tuple(output)))
        return commands
    for number, text in _join_continuations(lines):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if lang == "crontab":
            fields = stripped.split(None, 5)
            if len(fields) < 6 or "=" in fields[0]:
                continue
            stripped = fields[5]
        commands.append(Command(doc, number, lang, stripped))
    return commands


def doc_commands(path: Path) -> list[Command]:
    doc = str(path.relative_to(ROOT))
    commands: list[Command] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match:
            indent, lang = len(match.group(1)), match.group(2)
            body = []
            i += 1
            while i < len(lines) and not FENCE.match(lines[i]):
                body.append((i + 1, lines[i][indent:] if lines[i][:indent].isspace() else lines[i]))
                i += 1
            if lang in SHELL:
                commands += _block_commands(doc, lang, body)
        elif INDENTED_COMMAND.match(lines[i]):
            commands += _block_commands(doc, "sh", [(i + 1, lines[i][4:])])
        i += 1
    return commands


def all_commands() -> list[Command]:
    return [c for path in DOCS for c in doc_commands(path)]
