"""Code health, checked by the normal suite: lint and format, no dead code, small modules, and no
absolute machine path in the repository."""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from tests.shared import ROOT, in_ci

NEWSBOT = ROOT / "newsbot"
WHITELIST = ROOT / "tests" / "vulture_whitelist.py"
MAX_LINES_OF_CODE = 400
# A machine path: a path that starts at the filesystem root with work, root, home or Users, not such a
# folder inside a URL or a relative path; a placeholder user (<you>, $USER, {user}) in the docs is allowed.
MACHINE_PATH = re.compile(r"(?<![\w.~/:%-])/(?:work|root|home|Users)/(?![<${])")
_NOT_CODE = {
    tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
    tokenize.ENCODING, tokenize.ENDMARKER,
}  # fmt: skip


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        if in_ci():
            pytest.fail(f"git ls-files failed in {ROOT}: {exc}")
        pytest.skip(f"not a git checkout ({exc})")
    return [ROOT / name for name in out.decode("utf-8").split("\0") if name]


def lines_of_code(source: str) -> int:
    """Lines holding code: blank lines and comments do not count; docstrings do (they are code)."""
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in _NOT_CODE:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines)


def test_ruff_check_is_clean():
    proc = run_tool("ruff", "check", "--output-format", "concise", ".")
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]


def test_ruff_format_is_clean():
    proc = run_tool("ruff", "format", "--check", ".")
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]


def test_no_dead_code_in_newsbot():
    """vulture over newsbot/ ([tool.vulture] in pyproject.toml); framework entry points are whitelisted."""
    proc = run_tool("vulture")
    assert proc.returncode == 0, (
        "vulture found unused code (remove it; whitelist in tests/vulture_whitelist.py only what a "
        "framework calls by name):\n" + proc.stdout[-5000:] + proc.stderr[-2000:]
    )


def test_the_dead_code_whitelist_names_only_live_code():
    """A whitelist entry whose name is gone from newsbot/ would silently excuse the next dead name."""
    names = {
        node.attr
        for node in ast.walk(ast.parse(WHITELIST.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "_"
    }
    assert names, "the whitelist parsed to nothing"
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(NEWSBOT.rglob("*.py")))
    stale = sorted(n for n in names if not re.search(rf"\b{re.escape(n)}\b", source))
    assert not stale, f"no longer in newsbot/, delete from tests/vulture_whitelist.py: {stale}"


CONFIG = NEWSBOT / "config"
SETTINGS_READ = re.compile(r"settings\.(?:get(?:bool|int|float|list|dict|dictorlist|priority|with_base)?)\(|settings\[")


def code_outside_config() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for p in sorted(NEWSBOT.rglob("*.py"))
        if CONFIG not in p.parents and p.name != "settings.py"
    }


def settings_read(sources: dict[str, str], sections: dict[str, type]) -> set[tuple[str, str]]:
    """The (section, field) pairs the code reads: `<...>.report.timezone`, or `x.timezone` where x was
    assigned `<...>.report` or is annotated with the section's class (a parameter `report: Report`)."""
    by_class = {cls.__name__: name for name, cls in sections.items()}
    read = set()
    for source in sources.values():
        tree = ast.parse(source)
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) and node.value.attr in sections:
                aliases.update({t.id: node.value.attr for t in node.targets if isinstance(t, ast.Name)})
            elif isinstance(node, ast.arg) and isinstance(node.annotation, ast.Name) and node.annotation.id in by_class:
                aliases[node.arg] = by_class[node.annotation.id]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            if isinstance(node.value, ast.Attribute) and node.value.attr in sections:
                read.add((node.value.attr, node.attr))
            elif isinstance(node.value, ast.Name) and node.value.id in aliases:
                read.add((aliases[node.value.id], node.attr))
    return read


def unread_settings(declared: list[tuple[str, str, str]], sources: dict[str, str], sections) -> list[str]:
    read = settings_read(sources, sections)
    return sorted(name for section, field, name in declared if (section, field) not in read)


def declared_settings() -> list[tuple[str, str, str]]:
    from newsbot.config.build import declarations

    return [(section, field, declared.name) for section, field, declared in declarations()]


def test_every_newsbot_setting_is_read():
    """Each declared setting is read by code outside newsbot/config (which names them all), as a field
    of its section: vulture cannot see a dataclass field nobody reads."""
    from newsbot.config.sections import SECTIONS

    declared = declared_settings()
    assert len(declared) > 60
    unread = unread_settings(declared, code_outside_config(), SECTIONS)
    assert not unread, f"declared in newsbot/config/sections.py but never read: {unread}"


def test_the_every_setting_is_read_check_fails_on_a_setting_nobody_reads():
    from newsbot.config.sections import SECTIONS

    declared = [*declared_settings(), ("report", "nobody_reads_this", "NEWSBOT_NOBODY_READS_THIS")]
    assert unread_settings(declared, code_outside_config(), SECTIONS) == ["NEWSBOT_NOBODY_READS_THIS"]
    # Read through an alias, a parameter annotated with the section, or a chain, it counts as read.
    sources = {
        "a.py": "report = config_for(s).report\nreport.nobody_reads_this\n",
        "b.py": "def f(r: Report):\n    return r.nobody_reads_this\n",
        "c.py": "config_for(s).report.nobody_reads_this\n",
    }
    for name, source in sources.items():
        assert unread_settings(declared[-1:], {name: source}, SECTIONS) == [], name
    # The same field name read from another section does not count.
    assert unread_settings(declared[-1:], {"d.py": "config_for(s).health.nobody_reads_this\n"}, SECTIONS)


def test_no_settings_get_outside_the_configuration():
    """Settings are read through newsbot.config (typed, checked, defaults declared once), never raw."""
    found = [
        f"{name}:{source.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for name, source in code_outside_config().items()
        for m in SETTINGS_READ.finditer(source)
    ]
    assert not found, "read settings with newsbot.config.config_for(...):\n" + "\n".join(found)


def test_no_module_is_over_400_lines_of_code():
    sizes = {
        str(p.relative_to(ROOT)): lines_of_code(p.read_text(encoding="utf-8")) for p in sorted(NEWSBOT.rglob("*.py"))
    }
    too_big = {name: n for name, n in sizes.items() if n > MAX_LINES_OF_CODE}
    assert not too_big, f"modules over {MAX_LINES_OF_CODE} lines of code (split them by concern): {too_big}"


def test_lines_of_code_skip_blanks_and_comments():
    source = '"""Doc."""\n\n# a comment\nx = 1  # trailing\n\ny = """a\nb"""\n    \n'
    assert lines_of_code(source) == 4  # the docstring, x, and the two lines of y


def test_no_absolute_machine_path_in_tracked_files():
    found = []
    for path in tracked_files():
        rel = path.relative_to(ROOT)
        if path.is_symlink():
            if os.path.isabs(os.readlink(path)):
                found.append(f"{rel}: symlink to {os.readlink(path)}")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue  # binary data, or deleted but not yet committed
        for match in MACHINE_PATH.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{rel}:{line}: {text[match.start() : match.start() + 60].splitlines()[0]}")
    assert not found, "absolute machine paths (find files relative to the repository instead):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("open('@work/shared/seed/x.txt')", True),
        ("see `@root/.cache/x`", True),
        ('"@home/alice/newsbot"', True),
        ("cd @Users/bob/newsbot", True),
        ("https://www.leiphone.com/resWeb/home/css/a.css", False),
        ("../shared/seed/x.txt", False),
        ("ROOT / 'work' / 'x'", False),
        ("@home/<you>/newsbot", False),
        ("@home/$USER/newsbot", False),
    ],
)
def test_machine_path_pattern(text, flagged):
    # "@" stands for the leading "/", or this file would hold the very paths it forbids.
    assert bool(MACHINE_PATH.search(text.replace("@", "/"))) == flagged


ROOT_MODULES = ("__init__.py", "items.py", "settings.py")


def test_only_init_settings_and_items_sit_at_the_package_root():
    """Every other module lives in the package it serves (README: "Where modules moved"), so the folder
    layout shows the data flow: spiders and sites, pipelines, analysis, report, archive, delivery."""
    assert sorted(p.name for p in NEWSBOT.glob("*.py")) == list(ROOT_MODULES)
