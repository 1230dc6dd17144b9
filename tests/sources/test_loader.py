"""The sources file: strict validation at load, overriding and disabling built-ins, and the README table."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from newsbot.sources.catalog import SourcesError, load_sources, markdown_table
from newsbot.sources.opml import slug
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
    assert sources["arxiv"].home_category == "学术突破" and sources["ft"].home_category is None
    assert sources["bloomberg"].paywalled and sources["bloomberg"].weight == 1.2
    assert sources["qbitai"].region == "domestic" and sources["nvidia"].allowed_domains == ("nvidia.com",)


@pytest.mark.parametrize(
    ("tag", "stored"),
    [("fr", "fr"), ("JA", "ja"), ("pt-br", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419")],
)
def test_lang_is_any_language_code(tmp_path, tag, stored):
    sources = load_sources(write(tmp_path, MINIMAL.replace('lang = "en"', f'lang = "{tag}"')))
    assert sources["example"].lang == stored


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
        (MINIMAL + "parser = '..newsbot:x'\n", "is not package.module:function"),
        (
            MINIMAL + "parser = 'shutil:rmtree'\n",
            "shutil is not in newsbot.parsers, newsbot.sites or a package NEWSBOT_PARSER_PACK",
        ),
        (MINIMAL + "parser = 'builtins:exec'\n", "builtins is not in newsbot.parsers"),
        (MINIMAL + "parser = 'newsbot.parsers.nonesuch:parse'\n", "there is no module newsbot.parsers.nonesuch"),
        (MINIMAL + "weight = nan\n", "weight must be a finite number of at least 0, not nan"),
        (MINIMAL + "weight = inf\n", "weight must be a finite number"),
        (MINIMAL + "download_delay = -1\n", "download_delay must be a finite number of at least 0, not -1"),
        (MINIMAL + "allowed_domains = ['.']\n", "allowed_domains: '.' is not a host name"),
        (MINIMAL + "allowed_domains = ['a..b']\n", "allowed_domains: 'a..b' is not a host name"),
        (MINIMAL.replace('"Example AI"', '""'), "display_name is empty"),
        (MINIMAL.replace('"Example AI"', '"\\u202e\\u0007 "'), "display_name is empty"),
        (MINIMAL.replace('"Example AI"', '"' + "x" * 100_000 + '"'), "display_name is longer than 100 characters"),
        (MINIMAL.replace("example.org/feed.xml", "example.org/my feed.xml"), "no spaces or control characters"),
        (MINIMAL.replace("example.org/feed.xml", "example.org/feed.xml\\n"), "no spaces or control characters"),
        (MINIMAL.replace("example.org/feed.xml", "example.org:99999/feed.xml"), "has a port outside 1-65535"),
        (MINIMAL.replace("example.org/feed.xml", "exa_mple.org/feed.xml"), "does not name a valid host"),
        (MINIMAL.replace('lang = "en"', 'lang = "french"'), "lang must be a language code such as zh, en, ja"),
        (MINIMAL.replace('lang = "en"', 'lang = "zh_CN"'), "not 'zh_CN'"),
        (MINIMAL.replace('lang = "en"', 'lang = ""'), "lang must be a language code"),
        (MINIMAL + "category = 'papers'\n", "category must be one of policy, funding"),
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
    assert table.group(1) == markdown_table(load_sources()), "regenerate it: python -m newsbot.sources.catalog"


def test_builtin_file_documents_every_key():
    from newsbot.sources.catalog import KEYS

    text = (ROOT / "newsbot" / "sources.toml").read_text(encoding="utf-8")
    tomllib.loads(text)
    for key in KEYS:
        assert re.search(rf"^#\s+{key}\b", text, re.M), key


def test_slugs():
    assert slug("The Verge AI") == "the-verge-ai"
    assert slug("Simon's Weblog") == "simon-s-weblog"
    assert slug("机器之心", "https://www.jiqizhixin.com/rss") == "jiqizhixin"
    assert slug("Ünïcödé News!") == "unicode-news"


def test_display_names_lose_bidi_and_control_characters_with_a_warning(tmp_path, caplog):
    text = MINIMAL.replace('"Example AI"', '"Example\\u202e IA\\u0000\\u2066"')
    with caplog.at_level("WARNING", logger="newsbot.sources.catalog"):
        example = load_sources(write(tmp_path, text))["example"]
    assert example.display_name == "Example IA"
    assert [r.getMessage() for r in caplog.records] == [
        f"{tmp_path / 'mine.toml'}: source 'example': display_name: bidi or control characters stripped"
    ]


@pytest.mark.parametrize(
    "location",
    ["newsbot:../../../../etc/passwd", "newsbot:/etc/passwd", "newsbot:parsers/../../setup.py", "newsbot:..\\\\x"],
)
def test_a_package_file_cannot_leave_its_package(location):
    with pytest.raises(SourcesError) as caught:
        load_sources(location)
    assert str(caught.value).startswith(f"{location}: a package file is a relative path inside newsbot")


def test_a_package_file_symlinked_out_of_its_package_is_refused(tmp_path, monkeypatch):
    package = tmp_path / "shipped"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "outside.toml").write_text(MINIMAL, encoding="utf-8")
    (package / "sources.toml").symlink_to(tmp_path / "outside.toml")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SourcesError, match="shipped:sources.toml: the file leaves the package shipped"):
        load_sources("shipped:sources.toml")


@pytest.mark.parametrize(
    "feed", ["https://例子.中国/feed", "http://[2001:db8::1]:8080/feed", "https://example.org:65535/feed"]
)
def test_valid_feed_urls_stay_valid(tmp_path, feed):
    assert load_sources(write(tmp_path, MINIMAL.replace("https://example.org/feed.xml", feed)))["example"].feeds == (
        feed,
    )
