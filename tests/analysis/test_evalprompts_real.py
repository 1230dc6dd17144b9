"""Measuring on real text through `scrapy evalprompts`: the golden set's reference lines bring the dev
days' real rows (labels from ../shared/realdays, text from the captured feeds, read at run time), and
--snapshot DIR --labels FILE measures one captured day. Real and authored rows are never pooled."""

from __future__ import annotations

import json

import pytest

from newsbot.analysis import eval_table
from newsbot.analysis.evaluate import read_dataset
from newsbot.analysis.realrows import RealDayError, load_real_day
from tests.analysis.conftest import GOLDEN
from tests.conftest import authored_golden_rows
from tests.shared import realdays_file

DEV_DAYS = ("2026-07-23", "2026-08-04")


def judged(labels) -> list[dict]:
    items = json.loads(labels.read_text(encoding="utf-8"))["items"]
    return [i for i in items if i.get("in_window", True) and i.get("label_quality") != "quick"]


def evalprompts(scrapy_runner, *args, env=None):
    proc = scrapy_runner("evalprompts", *args, env_extra=env, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_the_golden_set_references_the_dev_days_and_holds_none_of_their_text():
    authored, references = read_dataset(GOLDEN)
    assert [ref.parent.name for ref in references] == list(DEV_DAYS)
    for day in DEV_DAYS:
        labels = realdays_file(f"{day}/labels.json")
        assert labels.resolve() in [ref.resolve() for ref in references]
        rows = load_real_day(labels).rows
        texts = {row["text"] for row in rows if len(row["text"]) > 40}
        assert texts and not texts & {row["text"] for row in authored}
        golden = GOLDEN.read_text(encoding="utf-8")
        assert not any(row["title"] in golden for row in rows if len(row["title"]) > 12)


def test_real_rows_take_their_text_from_the_captured_feeds():
    labels = realdays_file("2026-08-04/labels.json")
    day = load_real_day(labels)
    assert len(day.rows) == len(judged(labels)) and not day.unmatched
    assert {row["kind"] for row in day.rows} == {"real"}
    assert all(row["text"] and row["title"] for row in day.rows)
    # Feeds that declare <language>en over Chinese text: the row's language comes from its text.
    assert {row["lang"] for row in day.rows} == {"zh", "en"}
    by_title = {row["title"]: row for row in day.rows}
    for item in judged(labels):
        row = by_title[" ".join(item["title"].split())]
        assert row["expected"]["ai_relevant"] == item["ai_relevant"]
        assert row["expected"]["importance"] == item["importance"]
        if item.get("region") is None or item.get("region_ambiguous"):
            assert row["expected"]["region"] is None  # left open by the editor: not scored


def test_a_label_no_feed_lists_is_named_and_a_missing_day_is_an_error(tmp_path):
    labels = realdays_file("2026-08-04/labels.json")
    data = json.loads(labels.read_text(encoding="utf-8"))
    data["items"].append({**data["items"][0], "url": "https://example.org/nowhere", "title": "no such entry"})
    mine = tmp_path / "labels.json"
    mine.write_text(json.dumps(data), encoding="utf-8")
    day = load_real_day(mine, labels.parent)
    assert [u["title"] for u in day.unmatched] == ["no such entry"]
    with pytest.raises(RealDayError, match="cannot read labels"):
        load_real_day(tmp_path / "absent" / "labels.json")


@pytest.mark.slow  # the whole golden set, twice
def test_evalprompts_reports_real_and_authored_rows_separately(scrapy_runner, tmp_path):
    authored_only = tmp_path / "authored.jsonl"
    authored_only.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in authored_golden_rows()))
    both = json.loads(
        evalprompts(scrapy_runner, "--dataset", str(GOLDEN), "--analyzer", "heuristic", "--by-day").stdout
    )
    alone = json.loads(evalprompts(scrapy_runner, "--dataset", str(authored_only), "--analyzer", "heuristic").stdout)
    # The authored figures are the same with or without the real rows beside them.
    assert both["rows"] == alone["rows"] == len(authored_golden_rows())
    for field in ("ai_relevant", "region", "importance", "category", "summary"):
        assert both[field] == alone[field], field
    assert "real" not in alone
    real = both["real"]
    expected_rows = sum(len(judged(realdays_file(f"{d}/labels.json"))) for d in DEV_DAYS)
    assert real["rows"] == expected_rows
    assert sorted(real["by_day"]) == list(DEV_DAYS)
    assert set(real["headline"]) == {"pooled", *DEV_DAYS}
    assert 0 < real["region"]["rows"] < real["rows"]  # open regions are not scored
    assert [d["rows"] for d in both["real_days"]] == [len(judged(realdays_file(f"{d}/labels.json"))) for d in DEV_DAYS]


def test_evalprompts_measures_a_snapshot_day_against_its_labels(scrapy_runner):
    day = realdays_file("mixed")
    labels = realdays_file("mixed/labels.json")
    result = json.loads(
        evalprompts(
            scrapy_runner, "--snapshot", str(day), "--labels", str(labels), "--analyzer", "heuristic", "--details"
        ).stdout
    )
    assert result["rows"] == len(authored_golden_rows())  # the project's golden set, beside the day
    assert result["real"]["rows"] == len(judged(labels))
    assert [d["labels"] for d in result["real_days"]] == [str(labels)] and not result["real_days"][0]["unmatched"]
    kinds = [d["kind"] for d in result["details"]]
    assert kinds.count("real") == result["real"]["rows"] and kinds.count("authored") == result["rows"]
    for figure in ("ai_relevant", "importance"):
        assert 0 <= result["real"][figure]["accuracy"] <= 1
    assert result["real"]["analyzers"] == {"heuristic": result["real"]["rows"]}


@pytest.mark.slow  # LLM evalprompts processes, like tests/analysis/test_evalprompts_loop.py
def test_evalprompts_snapshot_day_through_the_llm(scrapy_runner, fake, tmp_path):
    day = realdays_file("2026-08-04")
    env = {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url}
    args = ("--snapshot", str(day), "--analyzer", "llm", "--limit", "3")
    dry = evalprompts(scrapy_runner, *args, "--dry-run", env=env).stdout
    assert fake.requests == 0
    assert "===== 2026-08-04#" in dry and "===== g001" not in dry
    result = json.loads(evalprompts(scrapy_runner, *args, env=env).stdout)
    assert fake.requests == 3
    # The snapshot day's rows come first under --limit: the day is what is measured.
    assert result["rows"] == 0 and result["real"]["rows"] == 3
    assert result["real"]["analyzers"] == {"llm": 3}
    assert result["run"]["analyzer"] == "llm"


def test_evalprompts_stops_when_a_referenced_day_is_missing(scrapy_runner, tmp_path):
    dataset = tmp_path / "golden.jsonl"
    dataset.write_text(json.dumps({"labels": str(tmp_path / "absent" / "labels.json")}) + "\n", encoding="utf-8")
    proc = scrapy_runner("evalprompts", "--dataset", str(dataset), "--analyzer", "heuristic")
    assert proc.returncode == 2
    assert f"evalprompts: cannot read labels {tmp_path / 'absent' / 'labels.json'}" in proc.stderr
    assert not proc.stdout.strip()  # no figures for fewer rows than the dataset names


def _junk_run(scrapy_runner, labels, day, dataset) -> dict:
    args = ("--snapshot", str(day), "--labels", str(labels), "--dataset", str(dataset), "--analyzer", "heuristic")
    return json.loads(evalprompts(scrapy_runner, *args, "--by-day").stdout)["real"]


def test_evalprompts_counts_the_junk_rows_the_analyzer_would_show(scrapy_runner, tmp_path):
    day = realdays_file("2026-08-04")
    labels = realdays_file("2026-08-04/labels.json")
    dataset = tmp_path / "one.jsonl"  # one authored row: the figures measured here are the day's
    dataset.write_text(json.dumps(authored_golden_rows()[0], ensure_ascii=False) + "\n", encoding="utf-8")
    real = _junk_run(scrapy_runner, labels, day, dataset)
    judged_items = judged(labels)
    junk_items = [i for i in judged_items if i.get("junk")]
    assert junk_items and real["junk"]["rows"] == len(junk_items)
    # The day's junk (a crawler's digest of the day) is recognised as a roundup: none would be an entry.
    assert real["junk"]["shown_as_entry"] == 0
    assert real["headline"]["pooled"]["junk_shown_as_entry"] == 0

    # An editor marks a story the analyzer rates high (AI, a story by its form) as junk: it would be shown.
    data = json.loads(labels.read_text(encoding="utf-8"))
    story = next(i for i in data["items"] if i in judged_items and i["importance"] == "high")
    story["junk"] = True
    mine = tmp_path / "labels.json"
    mine.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    marked = _junk_run(scrapy_runner, mine, day, dataset)
    assert marked["junk"] == {"rows": len(junk_items) + 1, "shown_as_entry": 1}
    assert marked["headline"]["pooled"]["junk_shown_as_entry"] == 1
    # In a comparison table, fewer junk rows shown is the better side.
    delta = {r["metric"]: r for r in eval_table.delta_rows(real, marked)}
    assert delta["junk.shown_as_entry"]["better"] == "a"
    assert delta["junk.rows"]["better"] == ""  # a count of rows, no verdict
