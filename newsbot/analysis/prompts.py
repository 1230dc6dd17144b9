"""Prompt files: loading, versioning and rendering.

Each task has two files in the prompts folder: `<task>.system.md` (the rules) and `<task>.user.md`
(the data, fenced); a task may have more parts (analyze: the batch mode's addendum, message and
per-article block). They are read at run time from NEWSBOT_PROMPTS_DIR, or from the package data
(importlib.resources, so a scrapyd egg carries them). `version` is a hash of all the task's files,
so an edit re-analyses the articles and an unchanged prompt costs nothing, whichever parts a run uses.

Placeholders are `$name` (string.Template): JSON examples in a prompt need no escaping.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template

TASKS = ("analyze", "overview", "weekly")
# Parts besides system and user, as `<task>.<part>.md`: NEWSBOT_LLM_BATCH>1 sends several articles per call.
EXTRA_PARTS = {"analyze": ("batch.system", "batch.user", "batch.item")}
PACKAGE = "newsbot"
PACKAGE_DIR = "prompts"


class PromptError(RuntimeError):
    pass


@dataclass(frozen=True)
class PromptPair:
    task: str
    system: str
    user: str
    version: str
    origin: str  # the folder, or "package"
    extras: dict[str, str] = field(default_factory=dict)  # part name (batch.user, ...) -> template

    def render_extra(self, part: str, **values) -> str:
        return _render(self.extras[part], f"{self.task}.{part}.md", values)

    def render_system(self, **values) -> str:
        return _render(self.system, f"{self.task}.system.md", values)

    def render_user(self, **values) -> str:
        return _render(self.user, f"{self.task}.user.md", values)


def _render(template: str, name: str, values: dict) -> str:
    try:
        return Template(template).substitute(values)
    except KeyError as exc:
        raise PromptError(f"{name}: unknown placeholder ${exc.args[0]} (known: {', '.join(sorted(values))})") from exc
    except ValueError as exc:
        raise PromptError(f"{name}: {exc} (write a literal dollar sign as $$)") from exc


def prompt_version(task: str, system: str, user: str, *extras: str) -> str:
    digest = hashlib.sha256("\0".join((task, system, user, *extras)).encode()).hexdigest()
    return f"{task}-{digest[:12]}"


def load_prompts(task: str, prompts_dir: str | Path | None = None) -> PromptPair:
    if task not in TASKS:
        raise PromptError(f"unknown prompt task {task!r}; known: {', '.join(TASKS)}")
    parts = EXTRA_PARTS.get(task, ())
    names = (f"{task}.system.md", f"{task}.user.md", *(f"{task}.{part}.md" for part in parts))
    if prompts_dir:
        folder = Path(prompts_dir)
        missing = [n for n in names if not (folder / n).is_file()]
        if missing:
            # No silent mix of a custom system prompt with the bundled user prompt.
            raise PromptError(f"prompts folder {folder} lacks {', '.join(missing)}")
        texts = [(folder / n).read_text(encoding="utf-8") for n in names]
        origin = str(folder)
    else:
        base = resources.files(PACKAGE).joinpath(PACKAGE_DIR)
        texts = [base.joinpath(n).read_text(encoding="utf-8") for n in names]
        origin = "package"
    system, user, *extra = texts
    return PromptPair(task, system, user, prompt_version(task, *texts), origin, dict(zip(parts, extra, strict=True)))


@dataclass(frozen=True)
class Fence:
    open: str
    close: str

    @property
    def token(self) -> str:
        """The random part; a batch reply names each article by it."""
        return self.open.removeprefix("<<<DATA-").removesuffix(">>>")


def make_fence(*texts: str) -> Fence:
    """Delimiters random per call: text inside cannot forge the closing one to "leave" the data."""
    while True:
        token = secrets.token_hex(6).upper()
        fence = Fence(f"<<<DATA-{token}>>>", f"<<<END-{token}>>>")
        if not any(token in t for t in texts):
            return fence


def make_fences(texts: list[str]) -> list[Fence]:
    """One distinct fence per article of a batch, none of whose tokens occurs in any of the texts:
    an article cannot close, or open, another article's fence."""
    fences: list[Fence] = []
    while len(fences) < len(texts):
        fence = make_fence(*texts)
        if all(fence.token != f.token for f in fences):
            fences.append(fence)
    return fences
