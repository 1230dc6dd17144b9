"""The scrapyd egg carries everything newsbot reads at run time, not only its Python modules."""

from __future__ import annotations

import configparser
import importlib.util
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
    assert "no files found matching" not in done.stderr + done.stdout, done.stderr
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


def test_setup_names_only_package_files_that_exist_and_all_of_them():
    """setup.py finds the package data instead of listing folders, so none it names is missing and
    none on disk is left out."""
    spec = importlib.util.spec_from_file_location("newsbot_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not __main__: defines package_files() without building anything
    listed = module.package_files()
    package = ROOT / "newsbot"
    assert listed and all((package / name).is_file() for name in listed)
    on_disk = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert on_disk == set(listed)
    assert "sources.toml" in listed and any(name.startswith("prompts/") for name in listed)
