"""Packaging for scrapyd: `scrapyd-deploy` builds an egg from this file.

The egg must carry everything read at run time, not only Python modules: templates, prompts and
data tables are package data, read with importlib.resources (which also reads from a zipped egg).
"""

import atexit
import shutil
import tempfile
from pathlib import Path

from setuptools import find_packages, setup

PACKAGE = Path(__file__).resolve().parent / "newsbot"


def package_files() -> list[str]:
    """Every non-Python file inside the package, relative to it: found, not listed, so a new template,
    prompt or data table cannot be left out of the egg, and no folder is named that does not exist."""
    return sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc", ".pyo")
        and not any(part == "__pycache__" or part.startswith(".") for part in path.relative_to(PACKAGE).parts)
    )


def private_build_folder() -> str:
    """A build folder of this run's own, removed when it ends. scrapyd-deploy builds in the project
    folder (`setup.py clean -a`, then `bdist_egg`): two deploys at once, or a test's build beside
    another's, would each remove or overwrite the other's build/ (newsbot.egg-info/ is rewritten the same by each)."""
    folder = tempfile.mkdtemp(prefix="newsbot-build-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


if __name__ == "__main__":
    work = private_build_folder()
    setup(
        name="newsbot",
        version="1.0",
        description="Daily AI news briefing (Scrapy project)",
        packages=find_packages(include=["newsbot", "newsbot.*"]),
        package_data={"newsbot": package_files()},
        entry_points={"scrapy": ["settings = newsbot.settings"]},
        python_requires=">=3.11",
        options={"build": {"build_base": work}},
    )
