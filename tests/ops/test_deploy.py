"""The scrapyd egg carries everything newsbot reads at run time, not only its Python modules."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, scrapy_env


@pytest.mark.slow  # builds the scrapyd egg
def test_egg_has_every_package_file_and_the_settings_entry_point(tmp_path):
    egg = tmp_path / "newsbot.egg"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "scrapyd-deploy"), "--build-egg", str(egg)],
        cwd=ROOT,
        env=scrapy_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()

    package = ROOT / "newsbot"
    wanted = {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert wanted - names == set(), "left out of the egg"
    assert any(n.startswith("newsbot/report/templates/") for n in names)
    assert not any("__pycache__" in n or n.startswith("tests/") for n in names)

    points = configparser.ConfigParser()
    points.read_string(entry_points)
    assert points["scrapy"]["settings"] == "newsbot.settings"


def test_deploy_target_reads_credentials_from_the_environment():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(ROOT / "scrapy.cfg")
    assert cfg["settings"]["default"] == "newsbot.settings"
    deploy = cfg["deploy"]
    assert deploy["project"] == "newsbot" and deploy["url"].startswith("http")
    assert deploy["username"] == "${SCRAPYD_USERNAME}" and deploy["password"] == "${SCRAPYD_PASSWORD}"
