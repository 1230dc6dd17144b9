"""The offline analyzer through its public function: relevance needs AI evidence in the story itself,
and an English lead names its subject and carries a Chinese label."""

from __future__ import annotations

import pytest

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.heuristic import HeuristicAnalyzer


def analyze(title: str, text: str, source: str = "bloomberg"):
    lang = "zh" if source in ("36kr", "qbitai", "leiphone") else "en"
    return HeuristicAnalyzer().analyze(ArticleInput("https://example.com/a", title, text, lang, source, source, None))


# Big tech's other business: each names a company the gazetteer knows as an AI player, none is about AI.
NOT_AI = [
    (
        "36kr",
        "市场监管总局约谈美团、京东、阿里巴巴，要求规范外卖补贴",
        "市场监管总局约谈美团、京东和阿里巴巴旗下淘宝闪购负责人，要求平台停止以低于成本的价格补贴外卖订单，"
        "不得强迫商家参与促销活动。",
    ),
    (
        "bloomberg",
        "Alibaba Folds Food-Delivery Unit Into Taobao as Price War Drags On",
        "Alibaba Group Holding Ltd. is merging its food-delivery business into Taobao, as subsidies in the "
        "instant-commerce war with Meituan and JD.com weigh on margins. Shares rose 2% in Hong Kong.",
    ),
    (
        "cnbc",
        "EU fines Google over ad tech practices, Google says it will appeal",
        "The European Commission fined Google for favouring its own advertising exchange in online display "
        "advertising. Google said it would appeal the decision.",
    ),
    (
        "36kr",
        "华为Mate系列手机开启春季促销，最高直降1500元",
        "华为商城显示，华为Mate系列手机开启春季促销，部分机型最高直降1500元，活动持续至3月底。",
    ),
    (
        "theverge",
        "Google's Pixel phone goes on sale at $499",
        "Google's latest Pixel phone is now on sale in the US for $499, with a brighter screen and a bigger "
        "battery than last year's model.",
    ),
    (
        "bloomberg",
        "Tencent Music Paying Users Rise as Subscription Prices Climb",
        "Tencent Music Entertainment Group said paying users of its music apps rose to 130 million in the "
        "quarter as it raised subscription prices.",
    ),
]


@pytest.mark.parametrize(("source", "title", "text"), NOT_AI, ids=[t for _, t, _ in NOT_AI])
def test_a_big_tech_name_is_context_not_ai_evidence(source, title, text):
    result = analyze(title, text, source)
    assert not result.ai_relevant, result.evidence.ai
    assert result.evidence.ai.context > 0  # the companies were seen, as context only


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Alibaba Cuts Qwen Model Prices as Cloud Rivalry Heats Up", "Alibaba Cloud cut prices for its Qwen models."),
        ("OpenAI starts testing ads in ChatGPT", "OpenAI said it will show ads to some ChatGPT users in the US."),
        ("Google brings Gemini to Android Auto", "Google is replacing its assistant with Gemini in cars."),
    ],
)
def test_an_ai_product_or_an_ai_native_company_is_evidence(title, text):
    assert analyze(title, text, "theverge").ai_relevant


@pytest.mark.parametrize(
    ("title", "lead", "starts"),
    [
        (
            "Nvidia's Huang says humanoid robots will be in factories within two years",
            "He said the company's new robot model would let machines learn tasks from a few demonstrations.",
            "Nvidia's Huang says humanoid robots will be in factories within two years: He said",
        ),
        (
            "Intel CEO Lip-Bu Tan says first data center AI GPU will ship in 2027",
            "Tan said Intel has hired a chief GPU architect and that the chip is on track to ship in 2027.",
            "Intel CEO Lip-Bu Tan says first data center AI GPU will ship in 2027: Tan said",
        ),
        (
            "Meta poaches Apple's head of AI models",
            "The executive, who led Apple's foundation models team, will join Meta's superintelligence lab.",
            "Meta poaches Apple's head of AI models: The executive",
        ),
        (
            "Helsing raises €1.2bn as investors pile into defence AI",
            "German group's round led by Lightspeed values it at €20bn, making it Europe's most valuable "
            "defence start-up.",
            "Helsing raises €1.2bn as investors pile into defence AI: German group's round",
        ),
    ],
)
def test_an_english_lead_without_a_named_subject_follows_its_headline(title, lead, starts):
    summary = analyze(title, lead, "ft").summary
    assert summary.split("】", 1)[1].startswith(starts)


def test_an_english_lead_that_names_its_subject_is_kept_and_labelled_in_chinese():
    result = analyze(
        "Nvidia Nears Deal to Invest $20 Billion in OpenAI",
        "Nvidia Corp. is nearing a deal to invest $20 billion in OpenAI's latest funding round. It would be "
        "the chipmaker's largest single investment in the ChatGPT maker.",
    )
    assert result.category == "融资"
    assert result.summary.startswith("【融资｜英伟达、OpenAI】Nvidia Corp. is nearing a deal to invest $20 billion")


def test_a_chinese_lead_has_no_label_and_a_bare_dek_gets_its_headline():
    full = analyze("英伟达拟向OpenAI投资200亿美元", "英伟达接近达成协议，将向OpenAI最新一轮融资投资200亿美元。", "36kr")
    assert full.summary == "英伟达接近达成协议，将向OpenAI最新一轮融资投资200亿美元。"
    dek = analyze("「矩芯微」完成数亿元B轮融资，端侧推理芯片今年量产", "首款芯片已获多家手机厂商定点。", "qbitai")
    assert dek.summary == "「矩芯微」完成数亿元B轮融资，端侧推理芯片今年量产，首款芯片已获多家手机厂商定点。"
