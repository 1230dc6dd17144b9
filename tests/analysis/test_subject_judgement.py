"""The offline analyzer judges what a story is about, from its headline and lead (synthetic text)."""

from __future__ import annotations

import pickle

import pytest

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer
from newsbot.sources.catalog import SOURCES, Source, load_sources


@pytest.fixture(scope="module")
def analyzer():
    return HeuristicAnalyzer()


@pytest.fixture
def user_sources():
    """A Chinese user source with no region and one that says domestic, as a user's file would add."""
    before = dict(SOURCES)
    extra = {
        "zh_blog": Source("zh_blog", "某博客", ("https://blog.example.cn/feed",), "zh"),
        "zh_local": Source("zh_local", "某地方台", ("https://local.example.cn/feed",), "zh", region="domestic"),
        "zh_papers": Source("zh_papers", "某论文站", ("https://papers.example.cn/feed",), "zh", category="research"),
    }
    SOURCES.replace({**before, **extra})
    yield extra
    SOURCES.replace(before)


def art(title, text, source="zh_blog", lang="zh"):
    return ArticleInput("https://example.org/a", title, text, lang, source, source, None)


def test_region_follows_the_subject_not_the_source(analyzer, user_sources):
    us = art("OpenAI发布新一代推理模型", "OpenAI周二发布了新一代推理模型，面向企业开发者。")
    assert analyzer.analyze(us).region == "international"
    cn = art("阿里巴巴开源新一代大模型", "阿里巴巴今天开源了新一代大模型，支持多种语言。")
    assert analyzer.analyze(cn).region == "domestic"
    # No one named: the province and the police in the lead say where the story is.
    local = art(
        "三人用AI伪造照片敲诈被抓", "近日，某省某市警方破获一起利用人工智能合成照片敲诈的案件，三名嫌疑人落网。"
    )
    assert analyzer.analyze(local).region == "domestic"


def test_a_source_region_is_only_a_prior(analyzer, user_sources):
    # The subject decides even against an explicit prior.
    us = art("OpenAI发布新一代推理模型", "OpenAI周二发布了新一代推理模型。", source="zh_local")
    assert analyzer.analyze(us).region == "international"


def test_a_passing_mention_deep_in_a_long_article_is_not_the_subject(analyzer, user_sources):
    lead = "某主题乐园今日在港交所上市，首日股价上涨。公司计划扩建园区并增加游乐项目。门票收入是其主要收入来源。"
    filler = "游客人数在暑期明显增加，周边酒店入住率上升。" * 40
    passing = "有分析认为，人工智能和大模型也许能帮助乐园改进排队系统，OpenAI和谷歌的技术被提及。"
    result = analyzer.analyze(art("某主题乐园今日上市", lead + filler + passing))
    assert not result.ai_relevant
    assert "OpenAI" not in result.tags and "谷歌" not in result.tags


def test_a_worker_process_sees_the_user_sources_standing(user_sources):
    built = art("某公司发布新模型", "某公司发布新模型。", source="zh_local")
    assert built.home_region == "domestic"
    # A worker process knows only the built-in sources: the standing travels with the article.
    SOURCES.replace(load_sources())
    arrived = pickle.loads(pickle.dumps(built))
    assert "zh_local" not in SOURCES
    assert (arrived.home_region, arrived.source_weight) == ("domestic", 1.0)


def test_a_source_without_region_gives_no_prior(user_sources):
    assert art("标题", "正文。", source="zh_blog").home_region is None


def test_a_source_category_is_a_prior_the_text_can_overrule(analyzer, user_sources):
    """A source's `category` (sources.toml) leans its stories that way; it travels to a worker too."""
    title, text = "团队介绍最新进展", "团队今天介绍了最新进展。"
    assert analyzer.analyze(art(title, text, source="zh_papers")).category == "学术突破"
    assert analyzer.analyze(art(title, text, source="zh_blog")).category == "其他"
    launch = "一款新工具上线", "一款新工具今天上线，面向开发者。"
    assert analyzer.analyze(art(*launch, source="zh_papers")).category == "产品发布"
    built = art(title, text, source="zh_papers")
    SOURCES.replace(load_sources())
    assert pickle.loads(pickle.dumps(built)).home_category == "学术突破"
