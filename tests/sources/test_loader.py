"""The sources file: strict validation at load, overriding and disabling built-ins, and the README table."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from newsbot.opml import slug
from newsbot.sources import SourcesError, load_sources, markdown_table
from tests.conftest import ROOT

MINIMAL = """
[[source]]
name = "example"
display_name = "Example AI"
feeds = ["https://example.org/feed.xml"]
lang = "en"
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_builtins_load_with_their_flags():
    sources = load_sources()
    assert list(sources) == ["36kr", "qbitai", "leiphone", "bloomberg", "arxiv", "ft", "cnbc", "theverge", "nvidia"]
    assert sources["36kr"].parser == "36kr" and sources["36kr"].full_text
    assert sources["arxiv"].spider_settings() == {"DOWNLOAD_DELAY": 15.0}
    assert sources["arxiv"].quiet_weekdays == ("Sat", "Sun")
    assert sources["bloomberg"].paywalled and sources["bloomberg"].weight == 1.2
    assert sources["qbitai"].region == "domestic" and sources["nvidia"].allowed_domains == ("nvidia.com",)


def test_the_minimal_entry_gets_defaults(tmp_path):
    example = load_sources(write(tmp_path, MINIMAL))["example"]
    assert (example.region, example.allowed_domains, example.parser) == (None, ("example.org",), "generic")
    assert not (example.full_text or example.paywalled or example.playwright)


def test_override_key_by_key_and_disable(tmp_path):
    text = MINIMAL + '[[source]]\nname = "arxiv"\nenabled = false\n[[source]]\nname = "cnbc"\ndisplay_name = "CNBC"\n'
    sources = load_sources(write(tmp_path, text))
    assert "arxiv" not in sources and "example" in sources
    assert sources["cnbc"].display_name == "CNBC" and sources["cnbc"].parser == "cnbc"  # the rest is kept
    assert load_sources(write(tmp_path, text), ["cnbc", "example"]).keys() == {"cnbc", "example"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[source]\nname = 'x'", "invalid TOML"),
        (MINIMAL + "colour = 'red'\n", "source 'example': unknown key 'colour'"),
        (MINIMAL + MINIMAL, "source 'example': duplicate name"),
        (MINIMAL.replace('"example"', '"Bad Name!"'), "source 'Bad Name!': not a valid spider name"),
        (MINIMAL.replace("https://example.org/feed.xml", "ftp://example.org/feed.xml"), "is not an http(s) URL"),
        (MINIMAL.replace("https://example.org/feed.xml", "/feed.xml"), "is not an http(s) URL"),
        (MINIMAL + "parser = 'nonesuch'\n", "parser 'nonesuch' does not exist"),
        (MINIMAL + "parser = 'newsbot.parsers.generic:nonesuch'\n", "has no function 'nonesuch'"),
        (MINIMAL.replace('lang = "en"', 'lang = "fr"'), "lang must be one of zh, en"),
        (MINIMAL + "full_text = 'yes'\n", "full_text must be bool"),
        (MINIMAL + "weight = true\n", "weight must be int or float"),
        (MINIMAL + "quiet_weekdays = ['Someday']\n", "quiet_weekdays"),
        ('[[source]]\nname = "example"\nfeeds = ["https://example.org/f"]\n', "missing display_name, lang"),
        ('[[source]]\nname = "nope"\nenabled = false\n', "disables a source that does not exist"),
        ("[[source]]\ndisplay_name = 'x'\n", "source #1: missing `name`"),
        ("name = 'x'\n", "unknown top-level key"),
    ],
)
def test_a_bad_file_is_one_line_naming_file_entry_and_problem(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_readme_table_is_the_builtin_sources():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- sources-table -->\n(.*?)\n<!-- /sources-table -->", readme, re.S)
    assert table, "README lost its <!-- sources-table --> block"
    assert table.group(1) == markdown_table(load_sources()), "regenerate it: python -m newsbot.sources"


def test_builtin_file_documents_every_key():
    from newsbot.sources import KEYS

    text = (ROOT / "newsbot" / "sources.toml").read_text(encoding="utf-8")
    tomllib.loads(text)
    for key in KEYS:
        assert re.search(rf"^#\s+{key}\b", text, re.M), key


def test_slugs():
    assert slug("The Verge AI") == "the-verge-ai"
    assert slug("Simon's Weblog") == "simon-s-weblog"
    assert slug("机器之心", "https://www.jiqizhixin.com/rss") == "jiqizhixin"
    assert slug("Ünïcödé News!") == "unicode-news"
