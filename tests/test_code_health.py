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


def test_every_newsbot_setting_is_read():
    """settings.py is left out of vulture (Scrapy reads it by name), so check its own settings here."""
    settings = (NEWSBOT / "settings.py").read_text(encoding="utf-8")
    defined = set(re.findall(r"^(NEWSBOT_[A-Z0-9_]+)\s*[:=]", settings, re.M))
    assert defined
    others = "\n".join(p.read_text(encoding="utf-8") for p in NEWSBOT.rglob("*.py") if p.name != "settings.py")
    unread = sorted(n for n in defined if not re.search(rf"[\"']{n}[\"']", others))
    assert not unread, f"defined in newsbot/settings.py but never read: {unread}"


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
