"""Packaging for scrapyd: `scrapyd-deploy` builds an egg from this file.

The egg must carry everything read at run time, not only Python modules: templates, prompts and
data tables are package data, read with importlib.resources (which also reads from a zipped egg).
"""

from setuptools import find_packages, setup

# Non-Python files the code reads at run time, relative to the newsbot package. The globs are
# generous on purpose: a new template or prompt must not be left out of the egg by accident.
DATA_DIRS = ("prompts", "report/templates", "publish/templates", "analysis/data", "analysis/prompts", "data")
DATA_EXTENSIONS = (
    "j2",
    "jinja",
    "html",
    "css",
    "js",
    "txt",
    "md",
    "json",
    "jsonl",
    "tsv",
    "csv",
    "yaml",
    "yml",
    "toml",
)

setup(
    name="newsbot",
    version="1.0",
    description="Daily AI news briefing (Scrapy project)",
    packages=find_packages(include=["newsbot", "newsbot.*"]),
    package_data={
        "newsbot": [f"{d}/**/*" for d in DATA_DIRS] + [f"**/*.{ext}" for ext in DATA_EXTENSIONS],
    },
    exclude_package_data={"": ["**/__pycache__/*", "*.pyc"]},
    entry_points={"scrapy": ["settings = newsbot.settings"]},
    python_requires=">=3.11",
)
