"""The prompt engineer's loop through `scrapy evalprompts`, against the local OpenAI-compatible server:
see the exact messages without sending them, never take the offline fallback's figures for the
prompt's, read a delta table, see every changed output, and measure the overview prompts."""

from __future__ import annotations

import json
import shutil
import socket
from datetime import UTC, datetime
from importlib import resources

import pytest

from tests.analysis.conftest import GOLDEN

pytestmark = pytest.mark.slow  # real `scrapy evalprompts` processes

LIMIT = 6


def prompt_folder(tmp_path, name: str, extra: dict[str, str] | None = None):
    folder = tmp_path / name
    shutil.copytree(str(resources.files("newsbot").joinpath("prompts")), folder)
    for file, text in (extra or {}).items():
        path = folder / file
        path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def llm_env(fake):
    return {"OPENAI_API_KEY": "sk-test-not-a-secret", "OPENAI_BASE_URL": fake.base_url}


def evalprompts(scrapy_runner, tmp_path, *args, env=None, **settings):
    settings.setdefault("NEWSBOT_EVAL_CACHE_DIR", str(tmp_path / "cache"))
    settings.setdefault("NEWSBOT_LLM_BACKOFF", "0.01")
    return scrapy_runner("evalprompts", *args, env_extra=env, timeout=180, **settings)


def test_dry_run_prints_the_exact_messages_and_sends_nothing(scrapy_runner, fake, llm_env, tmp_path):
    done = evalprompts(scrapy_runner, tmp_path, "--dataset", str(GOLDEN), "--dry-run", "--limit", "2", env=llm_env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert fake.requests == 0
    out = done.stdout
    assert out.count("· system =====") == 2 and out.count("· human =====") == 2
    first = json.loads(GOLDEN.read_text(encoding="utf-8").splitlines()[0])
    assert f"===== {first['id']} · system =====" in out
    assert f"标题：{first['title']}" in out, "the user message carries the article"
    assert "JSON Schema" in out, "the system message is rendered, schema included"
    assert out.rstrip().endswith("===== dry run: 2 row(s), nothing sent =====")


def test_an_unreachable_model_is_an_error_not_fallback_metrics(scrapy_runner, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": dead}
    args = ("--dataset", str(GOLDEN), "--analyzer", "llm", "--limit", str(LIMIT))
    done = evalprompts(scrapy_runner, tmp_path, *args, env=env, NEWSBOT_LLM_RETRIES="0")
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = [x for x in done.stderr.splitlines() if x.startswith("evalprompts:")]
    assert line.startswith(f"evalprompts: error: the model gpt-4o-mini at {dead} could not be used (")
    assert "--allow-fallback" in line

    allowed = evalprompts(
        scrapy_runner, tmp_path, *args, "--allow-fallback", "--details", env=env, NEWSBOT_LLM_RETRIES="0"
    )
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    result = json.loads(allowed.stdout)
    assert len(result["fallback_rows"]) == LIMIT and all(r["error"] for r in result["fallback_rows"])
    assert all(row["fallback"] for row in result["details"])


def test_analyzer_llm_without_a_model_configured_is_an_error(scrapy_runner, tmp_path):
    done = evalprompts(scrapy_runner, tmp_path, "--dataset", str(GOLDEN), "--analyzer", "llm", "--limit", "2")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "evalprompts: error: --analyzer llm needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
    )


def test_against_prints_a_delta_table_and_every_changed_output(scrapy_runner, fake, llm_env, tmp_path):
    a = prompt_folder(tmp_path, "a")
    b = prompt_folder(tmp_path, "b", {"analyze.system.md": "摘要请以“据悉”开头。请以保守标准评估重要性。"})
    args = ("--dataset", str(GOLDEN), "--limit", str(LIMIT), "--prompts", str(a), "--against", str(b))
    table = evalprompts(scrapy_runner, tmp_path, *args, env=llm_env)
    assert table.returncode == 0, table.stderr[-2000:]
    lines = table.stdout.splitlines()
    header = next(line for line in lines if line.startswith("metric"))
    assert header.split() == ["metric", "a", "b", "a−b", "better"]
    importance = next(line for line in lines if line.startswith("importance.accuracy "))
    assert importance.split()[-1] in {"a", "b", "="}
    assert any(line.startswith("labelled rows that differ: better in a ") for line in lines)
    assert "  summary_zh (a | b):" in lines
    side = lines[lines.index("  summary_zh (a | b):") + 1]
    left, right = side.split(" | ")
    assert "据悉" not in left and "据悉，" in right, "b's summary is shown next to a's"
    assert any(line.startswith("  score: a 55 | b 20") for line in lines)

    as_json = json.loads(evalprompts(scrapy_runner, tmp_path, *args, "--json", env=llm_env).stdout)
    assert fake.requests == 2 * LIMIT, "the second run came from the reply cache"
    delta = {row["metric"]: row for row in as_json["delta"]}
    assert delta["rows"]["a_minus_b"] == 0
    assert {"ai_relevant.f1", "region.accuracy", "summary.date_prefix"} <= set(delta)
    changed = [row["changes"] for row in as_json["changed"]]
    assert len(changed) == LIMIT
    for change in changed:
        assert change["summary_zh"]["b"].startswith("2月") and "据悉，" in change["summary_zh"]["b"]
        assert change["score"] == {"a": 55, "b": 20}


def test_summary_only_edit_is_a_change(scrapy_runner, fake, llm_env, tmp_path):
    a = prompt_folder(tmp_path, "a")
    b = prompt_folder(tmp_path, "b", {"analyze.system.md": "摘要请以“据悉”开头。"})
    args = ("--dataset", str(GOLDEN), "--limit", "3", "--prompts", str(a), "--against", str(b), "--json")
    result = json.loads(evalprompts(scrapy_runner, tmp_path, *args, env=llm_env).stdout)
    assert [set(row["changes"]) for row in result["changed"]] == [{"summary_zh"}] * 3


def store_day(db, day: str, titles: list[tuple[str, str]]):
    urls = []
    for i, (title, summary) in enumerate(titles):
        url = f"https://36kr.com/p/{day}-{i}"
        urls.append(url)
        db.articles.insert_one(
            {
                "url": url,
                "title": title,
                "source": "36kr",
                "source_name": "36氪",
                "published_at": datetime(2026, 2, 3, 23, 0, tzinfo=UTC),
                "analysis": {"summary_zh": summary, "region": "domestic", "importance": "high"},
            }
        )
    db.reports.insert_one({"date": day, "raw_count": 40, "entries": [{"url": u} for u in urls], "overview": ""})


def test_overview_prompts_are_measured_on_stored_days(scrapy_runner, fake, llm_env, mongo_db, tmp_path):
    store_day(mongo_db, "2026-02-03", [("阿里巴巴开源Qwen4大模型", "2月3日消息，阿里巴巴开源Qwen4。")])
    store_day(mongo_db, "2026-02-04", [("英伟达向OpenAI投资200亿美元", "2月4日消息，英伟达投资OpenAI。")])
    a = prompt_folder(tmp_path, "a")
    b = prompt_folder(tmp_path, "b", {"overview.system.md": "请大胆补充背景。"})
    args = ("--task", "overview", "--analyzer", "llm", "--prompts", str(a), "--against", str(b), "--json")
    done = evalprompts(scrapy_runner, tmp_path, *args, env=llm_env)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["days"] == ["2026-02-04", "2026-02-03"]
    assert result["a"]["grounded"] == 1.0 and result["a"]["unknown_names"] == 0
    assert result["b"]["grounded"] == 0.0 and result["b"]["unknown_numbers"] == 2
    assert "谷歌" in result["b"]["per_day"][0]["unknown_names"]
    assert result["a"]["chars_max"] <= result["a"]["limit"]
    grounded = next(row for row in result["delta"] if row["metric"] == "grounded")
    assert grounded["better"] == "a"
    names = next(row for row in result["delta"] if row["metric"] == "unknown_names")
    assert names["better"] == "a", "fewer unknown names is better"

    dry = evalprompts(scrapy_runner, tmp_path, "--task", "overview", "--dry-run", env=llm_env)
    assert dry.returncode == 0 and "英伟达向OpenAI投资200亿美元" in dry.stdout
