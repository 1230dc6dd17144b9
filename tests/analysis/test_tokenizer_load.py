"""jieba (Chinese keyword tags) costs about 2 s of CPU to load: a run pays for it only once it has a
Chinese article, and the load runs on a worker thread. Checked in a fresh interpreter, since any
earlier test may have loaded jieba already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import asyncio, json, sys, threading
from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer

analyzer = HeuristicAnalyzer()
english = ArticleInput("https://example.org/a", "OpenAI ships a reasoning model for banks",
                       "OpenAI said the model would reach banks within weeks.", "en", "example", "Example", None)
chinese = ArticleInput("https://example.org/b", "月之暗面发布Kimi新一代推理模型",
                       "月之暗面今日发布新一代推理模型，面向开发者开放接口。", "zh", "example", "Example", None)
loaders = []

async def main():
    main_thread = threading.get_ident()
    import newsbot.analysis.tags as tags
    real = tags.warm_up_jieba
    def spy(gaz):
        loaders.append(threading.get_ident() != main_thread)
        real(gaz)
    import newsbot.analysis.heuristic as heuristic
    heuristic.warm_up_jieba = spy
    await analyzer.tokenizer_ready(english)
    en_tags = analyzer.analyze(english).tags
    after_english = "jieba" in sys.modules
    await asyncio.gather(analyzer.tokenizer_ready(chinese), analyzer.tokenizer_ready(chinese))
    zh_tags = analyzer.analyze(chinese).tags
    return {"after_english": after_english, "loads": loaders, "en_tags": en_tags, "zh_tags": zh_tags}

print(json.dumps(asyncio.run(main()), ensure_ascii=False))
"""


def test_jieba_loads_once_on_a_worker_thread_and_only_for_chinese_articles():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["after_english"] is False  # an English article never imports jieba
    assert out["loads"] == [True]  # one load for two concurrent Chinese articles, off the loop's thread
    assert "月之暗面" in out["zh_tags"]
    assert out["en_tags"]
