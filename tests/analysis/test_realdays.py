"""The real third-party days of ../shared/realdays meet score.py's bar offline (heuristic analyzer):
non-AI share, high stories shown as their own entries, region, no junk, no overrated highs, no event twice.
The captures live beside the repository (never in it); the test fails when they are missing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, scrapy_env

pytestmark = pytest.mark.slow

REALDAYS = ROOT.parent / "shared" / "realdays"
DEV_DAYS = ("2026-07-23", "2026-08-04")


@pytest.mark.parametrize("day", DEV_DAYS)
def test_a_real_day_meets_the_bar(day):
    assert (REALDAYS / day / "labels.json").is_file(), f"missing {REALDAYS / day}: the realdays captures"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "realdays.py"), day],
        capture_output=True,
        text=True,
        env=scrapy_env(),
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
