"""The offline analyzer's tags: the category, who the story is about, lexicon topics and keywords."""

from __future__ import annotations

import logging
import re
import threading

from newsbot.analysis.judgements import Subject
from newsbot.analysis.lexicon import Gazetteer, Lexicon, Mention
from newsbot.analysis.schema import Category

# Names and model ids in English headlines: CamelCase, acronyms, or with digits ("GPT-5", "OpenClaw").
_NAME_RE = re.compile(r"\b(?:[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z]{2,}[a-z]*|[A-Za-z]+-?\d[\w.-]*)\b")
# Words too common to tag anything.
_TAG_STOP_TEXT = """
公司 消息 表示 目前 今年 去年 近日 此次 相关 进行 提供 推动 实现 发展 平台 用户 市场 产品
技术 服务 行业 领域 数据显示 获悉 报道
ai the and said says with that this from will have has its for are was were their they which would
could about after more than also into new company companies people year week
"""
_TAG_STOP = frozenset(_TAG_STOP_TEXT.split())


_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba(gaz: Gazetteer):
    """jieba with the gazetteer's names added, so 月之暗面 or 上海人工智能实验室 stay one word."""
    global _jieba_ready
    import jieba
    import jieba.analyse

    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            for alias, entity in gaz.by_alias.items():
                if not alias.isascii() and len(alias) > 1:
                    jieba.add_word(alias, freq=20000, tag="nt" if entity.kind == "org" else "nr")
            _jieba_ready = True
    return jieba.analyse


_jieba_warm = False


def warm_up_jieba(gaz: Gazetteer) -> None:
    """Load jieba's dictionary, keyword table and tagger (about 2 s of CPU) before the first article needs them."""
    global _jieba_warm
    _jieba(gaz).extract_tags("人工智能大模型", topK=1, allowPOS=("n",))
    _jieba_warm = True


def jieba_warm() -> bool:
    return _jieba_warm


def choose_tags(
    title: str,
    body: str,
    lang: str,
    category: str,
    subject: Subject,
    title_m: list[Mention],
    body_m: list[Mention],
    ai_relevant: bool,
    gaz: Gazetteer,
    lex: Lexicon,
) -> list[str]:
    """Three to six tags: the category, the subject and named actors, lexicon topics, then keywords
    (jieba for Chinese; names and model ids for English), "人工智能" for AI news, filler last."""
    tags: list[str] = []

    def push(tag: str) -> None:
        tag = tag.strip()
        if tag and not any(tag.lower() in t.lower() or t.lower() in tag.lower() for t in tags) and len(tags) < 6:
            tags.append(tag)

    if category != Category.other.value:
        push(category)
    title_names = {m.entity.name for m in title_m}
    actors = {m.entity.name: m for m in title_m + body_m if m.entity.kind != "place"}.values()
    if subject.name and subject.kind != "place":
        push(subject.name)
    for m in sorted(actors, key=lambda m: (m.entity.name not in title_names, -m.entity.tier, m.start))[:2]:
        push(m.entity.name)
    # Topic tags from the lexicon work for both languages ("humanoid robot" gives 人形机器人).
    text = f"{title}\n{title}\n{body[:1500]}"
    topics = sorted(
        ((lex.score(g, text), g.split(":", 1)[1]) for g in lex.groups if g.startswith("tag:")),
        reverse=True,
    )
    for weight, name in topics[:2]:
        if weight >= 2:
            push(name)
    if lang == "zh":
        analyse = _jieba(gaz)
        for word in analyse.extract_tags(text, topK=15, allowPOS=("n", "nz", "nt", "nr", "vn", "eng")):
            if len(tags) >= 5:
                break
            if _good_tag(word):
                push(word)
    else:
        # English keywords make poor Chinese tags; names and model ids ("OpenClaw", "GPT-5") do not.
        for word in _NAME_RE.findall(title):
            if len(tags) >= 5:
                break
            if _good_tag(word):
                push(word)
    if ai_relevant:
        push("人工智能")
    for filler in ("科技", "产业动态", "新闻"):
        if len(tags) >= 3:
            break
        push(filler)
    return tags


def _good_tag(word: str) -> bool:
    w = word.strip()
    if w.lower() in _TAG_STOP or w.isdigit() or len(w) < 2 or len(w) > 16:
        return False
    if re.fullmatch(r"[\d.%年月日]+", w):
        return False
    if w.isascii():
        return len(w) >= 3 and (w.isupper() or bool(_NAME_RE.fullmatch(w)))
    return True
