"""The shared-folder lookup: found relative to the clone; missing means fail in CI, skip elsewhere."""

from __future__ import annotations

import pytest

from tests.shared import ROOT, SHARED, realdays_file, shared_file


def test_shared_folder_is_found_beside_the_clone():
    assert ROOT.parent / "shared" == SHARED
    assert (ROOT / "pyproject.toml").is_file()


def set_ci(monkeypatch, value: str | None) -> None:
    """CI as a runner sets it (any value), or unset (None)."""
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)


def test_a_missing_shared_file_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        shared_file("seed/ai-daily-2026-02-04.txt", shared=tmp_path)


@pytest.mark.parametrize("value", [None, "", "0", "false"])
def test_a_missing_shared_file_skips_outside_ci(monkeypatch, tmp_path, value):
    set_ci(monkeypatch, value)
    with pytest.raises(pytest.skip.Exception, match="shared folder must sit beside the clone"):
        shared_file("seed/ai-daily-2026-02-04.txt", shared=tmp_path)


def test_a_present_shared_file_is_returned(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "1")
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "x.txt").write_text("x")
    assert shared_file("seed/x.txt", shared=tmp_path) == tmp_path / "seed" / "x.txt"


@pytest.mark.parametrize("value", [None, "", "1"])
def test_a_missing_real_day_fails_everywhere(monkeypatch, tmp_path, value):
    set_ci(monkeypatch, value)
    with pytest.raises(pytest.fail.Exception, match="must sit beside the clone"):
        realdays_file("mixed/labels.json", shared=tmp_path)
    (tmp_path / "realdays" / "mixed").mkdir(parents=True)
    assert realdays_file("mixed", shared=tmp_path) == tmp_path / "realdays" / "mixed"
