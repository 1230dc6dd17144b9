"""Files from the shared folder that sits beside the clone (`../shared/`), not inside the repository.

A test that needs one calls `shared_file()`: in CI (env var CI set) a missing file FAILS the test, because
a CI run that silently skips the golden layout tests proves nothing; on a developer machine it skips with
the path it looked for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def shared_file(relative: str, shared: Path | None = None) -> Path:
    """The path of ../shared/RELATIVE; fails (CI) or skips (elsewhere) the calling test when it is missing."""
    path = (shared or SHARED) / relative
    if not path.is_file():
        why = f"{path} is missing: the shared folder must sit beside the clone, at {(shared or SHARED)}"
        if in_ci():
            pytest.fail(f"{why} (CI is set, so this is a failure, not a skip)", pytrace=False)
        pytest.skip(why)
    return path


def realdays_file(relative: str, shared: Path | None = None) -> Path:
    """The path of ../shared/realdays/RELATIVE. Missing FAILS the calling test wherever it runs: the
    real days are what the analyzer and the crawl are measured on, and a skip would hide that."""
    path = (shared or SHARED) / "realdays" / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared folder must sit beside the clone, at {shared or SHARED}")
    return path
