"""A maker's own launch post is high: on its own site it writes "Introducing X" or "X 2: a tagline", never
"<maker> releases X", so the usual event evidence misses it. The same site's customer stories, partnership
notes and availability notes, and commentary about a launch on other sites, are not raised.

Every article here is written for this test: the products are invented, the makers are in the gazetteer.
"""

from __future__ import annotations

import pytest

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer
from newsbot.analysis.judgements import launch_headline
from newsbot.analysis.lexicon import gazetteer, lexicon


@pytest.fixture(scope="module")
def analyzer():
    return HeuristicAnalyzer()


def judge(analyzer, url: str, title: str, text: str, lang: str = "en"):
    return analyzer.analyze(ArticleInput(url, title, text, lang, "user_blog", "A blog", None))


LAUNCHES = [
    (
        "https://www.anthropic.com/news/claude-lantern",
        "Introducing Claude Lantern",
        "Today we are launching Claude Lantern, a research assistant that reads a whole codebase and keeps "
        "notes across sessions. It is available to every paid plan from today.",
        "en",
    ),
    (
        "https://api-docs.deepseek.com/news/v9",
        "DeepSeek-V9: Longer Context, Lower Cost",
        "DeepSeek-V9 is our new open-weight model with a million-token context window. The weights are "
        "published under the MIT licence and the API price drops by half.",
        "en",
    ),
    (
        "https://www.zhipuai.cn/news/glm-9",
        "GLM-9：推理与编程全面升级",
        "我们正式发布新一代基座模型GLM-9，在推理、编程和智能体任务上全面提升，模型权重同步开源，开发者即日起可通过开放平台调用。",
        "zh",
    ),
]


@pytest.mark.parametrize(("url", "title", "text", "lang"), LAUNCHES, ids=[t for _, t, _, _ in LAUNCHES])
def test_a_makers_launch_post_on_its_own_site_is_high(analyzer, url, title, text, lang):
    result = judge(analyzer, url, title, text, lang)
    assert result.ai_relevant
    assert result.importance == "high", result.evidence.importance
    assert result.evidence.importance.own_launch


def test_the_site_owner_is_the_actor_of_a_launch_headline_that_does_not_name_it(analyzer):
    result = judge(
        analyzer,
        "https://openai.com/index/introducing-ledger",
        "Introducing Ledger",
        "Ledger is a new agent in ChatGPT that keeps a team's spreadsheets, invoices and AI workflows in sync.",
    )
    assert result.importance == "high", result.evidence.importance
    assert result.evidence.importance.subject.name == "OpenAI"


NOT_LAUNCHES = [
    # The maker's site, but no launch: a customer story, an availability note, a hands-on review.
    (
        "https://openai.com/index/pharmacies-and-ai",
        "How pharmacy chains use AI to plan their stock",
        "Pharmacists describe how they use ChatGPT and AI agents to forecast which medicines run short.",
    ),
    (
        "https://blogs.nvidia.com/blog/nemotron-azure",
        "NVIDIA Nemotron 4 Now Available on Azure for Enterprise AI Agents",
        "Developers can now deploy NVIDIA Nemotron 4 models as AI microservices on Azure.",
    ),
    (
        "https://openai.com/index/meet-the-team",
        "Meet the team behind our AI safety research",
        "Our AI safety researchers talk about what drew them to alignment work.",
    ),
    # The launch headline, but not on the maker's own site: a video host and a commentary site.
    (
        "https://www.youtube.com/watch?v=abc",
        "Introducing Gemini Quill",
        "A creator walks through Gemini Quill, Google's AI writing tool, in a ten-minute video.",
    ),
    (
        "https://www.example-news.com/column/claude-lantern",
        "Introducing Claude Lantern? Why Anthropic's AI launch leaves me cold",
        "Anthropic's new AI assistant is a solid product, but the hype around it says more about the market.",
    ),
]


@pytest.mark.parametrize(("url", "title", "text"), NOT_LAUNCHES, ids=[t for _, t, _ in NOT_LAUNCHES])
def test_other_posts_and_other_sites_get_no_launch_points(analyzer, url, title, text):
    result = judge(analyzer, url, title, text)
    assert not result.evidence.importance.own_launch
    assert result.importance != "high", result.evidence.importance


@pytest.mark.parametrize(
    ("host", "maker"),
    [
        ("openai.com", "OpenAI"),
        ("blogs.nvidia.com", "英伟达"),
        ("www.zhipuai.cn", "智谱"),  # "Zhipu AI", spaces aside
        ("deepmind.google", "谷歌"),
        ("mp.weixin.qq.com", None),  # anyone's account
        ("www.youtube.com", None),  # anyone's video, though Google owns the site
        ("baijiahao.baidu.com", None),
        ("36kr.com", None),
        ("", None),
    ],
)
def test_a_site_is_its_owners_by_its_host(host, maker):
    entity = gazetteer().of_host(host)
    assert (entity.name if entity else None) == maker


@pytest.mark.parametrize(
    ("title", "launch"),
    [
        ("Introducing Claude Lantern", True),
        ("Meet Kimi K9", True),
        ("Qwen9-Max: Faster Agents at Half the Price", True),
        ("星火X9来了", True),
        ("DeepSeek发布V9", True),  # a versioned name with a release word
        ("GPT-9.1上手：一整天写代码的体验", False),  # a review headed by the model's name
        ("Meet the researchers", False),
        ("Into the Lab: How Developers Build Agents", False),
        ("How teams use GPT-9 at work", False),
    ],
)
def test_launch_headline(title, launch):
    assert launch_headline(title, lexicon()) is launch
