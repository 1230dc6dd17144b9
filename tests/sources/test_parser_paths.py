"""Parser code paths and source validation through the commands: `scrapy list` checks a sources file
without importing anything, `scrapy crawl` imports the parser and checks its signature before any
request, an imported OPML never sets one, and every refusal is one line and exit 1."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT

EXAMPLE = """
[[source]]
name = "example"
display_name = "Example AI"
feeds = ["https://example.org/feed.xml"]
lang = "en"
"""


def error_lines(done) -> list[str]:
    """The newsbot error lines of a run whose stderr also holds Scrapy's start-up log; never a traceback."""
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return [line for line in done.stderr.splitlines() if line.startswith("newsbot: error:")]


def operator_package(tmp_path, parser_code: str):
    """A package of the operator's own whose import leaves a mark, so a test sees whether it ran."""
    package = tmp_path / "site" / "acme_parsers"
    package.mkdir(parents=True)
    mark = tmp_path / "imported"
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "pages.py").write_text(
        f"import pathlib\npathlib.Path({str(mark)!r}).write_text('ran')\n{parser_code}\n", encoding="utf-8"
    )
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path / "site")])}
    return env, mark


def sources_file(tmp_path, extra: str) -> str:
    path = tmp_path / "mine.toml"
    path.write_text(EXAMPLE + extra, encoding="utf-8")
    return str(path)


def test_list_checks_the_parser_without_importing_it(scrapy_runner, tmp_path):
    env, mark = operator_package(tmp_path, "def parse(html, url):\n    raise ValueError('no article')\n")
    user = sources_file(tmp_path, 'parser = "acme_parsers.pages:parse"\n')
    listed = scrapy_runner(
        "list", env_extra=env, NEWSBOT_SOURCES_FILE=user, NEWSBOT_SOURCES="", NEWSBOT_PARSER_PACKAGES="acme_parsers"
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "example" in listed.stdout.split()
    assert not mark.exists(), "validating the sources file ran the module's top-level code"

    refused = scrapy_runner("list", env_extra=env, NEWSBOT_SOURCES_FILE=user, NEWSBOT_SOURCES="")
    assert refused.returncode == 1 and not mark.exists()
    assert refused.stderr.strip().splitlines() == [
        f"newsbot: error: {user}: source 'example': parser 'acme_parsers.pages:parse': acme_parsers.pages is not "
        "in newsbot.parsers, newsbot.sites or a package NEWSBOT_PARSER_PACKAGES lists"
    ]


def test_crawl_checks_the_parsers_signature_before_any_request(scrapy_runner, tmp_path, mongo_db):
    env, mark = operator_package(tmp_path, "def parse(html):\n    return None\n")
    user = sources_file(tmp_path, 'full_text = true\nparser = "acme_parsers.pages:parse"\n')
    done = scrapy_runner(
        "crawl", "example", env_extra=env, NEWSBOT_SOURCES_FILE=user, NEWSBOT_SOURCES="",
        NEWSBOT_PARSER_PACKAGES="acme_parsers", NEWSBOT_REPORT_ENABLED="False",
    )  # fmt: skip
    assert done.returncode == 1
    assert error_lines(done) == [
        "newsbot: error: source 'example': parser 'acme_parsers.pages:parse' cannot be called as "
        "parser(html, url): too many positional arguments"
    ]
    assert mark.exists() and mongo_db.runs.count_documents({}) == 0


@pytest.mark.parametrize("command", [("crawl", "example"), ("digest", "--sources", "example")])
def test_a_parser_that_does_not_exist_stops_the_crawl_with_one_line(scrapy_runner, tmp_path, mongo_db, command):
    user = sources_file(tmp_path, 'parser = "newsbot.parsers.generic:nonesuch"\n')
    done = scrapy_runner(*command, NEWSBOT_SOURCES_FILE=user, NEWSBOT_SOURCES="")
    assert done.returncode == 1
    assert error_lines(done) == [
        "newsbot: error: source 'example': parser 'newsbot.parsers.generic:nonesuch': "
        "newsbot.parsers.generic has no function 'nonesuch'"
    ]
    assert mongo_db.runs.count_documents({}) == 0


def test_hostile_source_values_stop_list_with_one_line(scrapy_runner, tmp_path):
    for extra, problem in [
        ('parser = "..newsbot:x"\n', "parser '..newsbot:x' is not package.module:function"),
        ('parser = "shutil:rmtree"\n', "parser 'shutil:rmtree': shutil is not in newsbot.parsers"),
        ("weight = nan\n", "weight must be a finite number of at least 0, not nan"),
        ("download_delay = -3\n", "download_delay must be a finite number of at least 0, not -3"),
        ('allowed_domains = ["."]\n', "allowed_domains: '.' is not a host name"),
    ]:
        user = sources_file(tmp_path, extra)
        done = scrapy_runner("list", NEWSBOT_SOURCES_FILE=user, NEWSBOT_SOURCES="")
        assert done.returncode == 1, (extra, done.stderr[-2000:])
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"newsbot: error: {user}: source 'example': "), lines
        assert problem in lines[0], lines


def test_a_sources_file_cannot_be_read_from_outside_its_package(scrapy_runner):
    location = "newsbot:../../../../etc/passwd"
    done = scrapy_runner("list", NEWSBOT_SOURCES_FILE=location, NEWSBOT_SOURCES="")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"newsbot: error: {location}: a package file is a relative path inside newsbot, without '..'"
    ]


def test_a_display_name_with_bidi_controls_is_cleaned_with_a_warning(scrapy_runner, tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text(EXAMPLE.replace('"Example AI"', '"Example \\u202eIA"'), encoding="utf-8")
    done = scrapy_runner("sources", "export", NEWSBOT_SOURCES_FILE=str(user), NEWSBOT_SOURCES="example")
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'title="Example IA"' in done.stdout and "\u202e" not in done.stdout
    assert "display_name: bidi or control characters stripped" in done.stderr


HOSTILE_OPML = """<?xml version="1.0"?><opml version="2.0"><head/><body>
<outline type="rss" text="Acme&#x202E; News" xmlUrl="https://news.acme.example/feed" parser="shutil:rmtree"
         playwright="true" weight="nan"/>
<outline type="rss" text="Spaced" xmlUrl="https://acme.example/my feed"/>
<outline type="rss" text="Far port" xmlUrl="https://acme.example:99999/feed"/>
</body></opml>"""


def test_opml_import_sets_no_code_path_and_cleans_what_it_takes(scrapy_runner, tmp_path):
    opml = tmp_path / "hostile.opml"
    opml.write_text(HOSTILE_OPML, encoding="utf-8")
    target = tmp_path / "mine.toml"
    done = scrapy_runner("sources", "import", str(opml), "--to", str(target))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "skipped 'https://acme.example/my feed': feed 'https://acme.example/my feed' is not an http(s) URL" in (
        done.stdout
    )
    assert "skipped 'https://acme.example:99999/feed': feed 'https://acme.example:99999/feed' has a port" in done.stdout
    written = target.read_text(encoding="utf-8")
    assert 'display_name = "Acme News"' in written
    assert "parser" not in written and "playwright" not in written and "weight" not in written


def test_import_into_a_folder_and_export_into_a_missing_folder_are_one_line(scrapy_runner, tmp_path):
    opml = tmp_path / "hostile.opml"
    opml.write_text(HOSTILE_OPML, encoding="utf-8")
    into_dir = scrapy_runner("sources", "import", str(opml), "--to", str(tmp_path))
    assert into_dir.returncode == 1
    assert error_lines(into_dir) == [
        f"newsbot: error: {tmp_path} is a folder; --to names the sources file (TOML) to write"
    ]
    missing = tmp_path / "missing" / "x.opml"
    exported = scrapy_runner("sources", "export", "--output", str(missing))
    assert exported.returncode == 1
    assert error_lines(exported) == [f"newsbot: error: cannot write {missing}: No such file or directory"]


def test_a_parser_named_by_its_old_path_still_loads_with_a_deprecation_warning():
    """The sites' parsers moved to newsbot.sites: a sources file naming the old path keeps working."""
    from newsbot.parsers.registry import BUILTIN_PARSERS, MOVED_PARSERS, check_parser_name, load_parser
    from newsbot.sites.kr36.page import parse_36kr

    for old, new in MOVED_PARSERS.items():
        with pytest.warns(DeprecationWarning, match="has moved to"):
            assert check_parser_name(old) == new
        assert new in BUILTIN_PARSERS.values()
    with pytest.warns(DeprecationWarning):
        assert load_parser("newsbot.parsers.kr36:parse_36kr") is parse_36kr
