"""Pure parts of the selection: window, event keys, same-event rule and clustering at scale."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from scrapy.settings import Settings

from newsbot.report.blocking import minhash
from newsbot.report.cluster import cluster
from newsbot.report.keys import entity_keys, entity_names, make_keys, number_keys, shingles
from newsbot.report.match import jaccard, same_event
from newsbot.text.window import report_window
from tests.report.synthetic import candidate, cluster_quality, synthetic_day

cand = candidate


# --- window --------------------------------------------------------------------------------------


def test_window_for_a_date_ends_at_the_local_cutoff():
    w = report_window(Settings({"NEWSBOT_DATE": "2026-02-04", "NEWSBOT_REPORT_CUTOFF": "09:00"}))
    assert w.day == date(2026, 2, 4) and not w.live
    assert w.cutoff == datetime(2026, 2, 4, 1, 0, tzinfo=UTC)  # 09:00 +08:00
    assert w.start == datetime(2026, 2, 3, 1, 0, tzinfo=UTC)


def test_window_live_ends_now_and_takes_the_local_day():
    now = datetime(2026, 2, 3, 17, 30, tzinfo=UTC)  # 01:30 on Feb 4 in Shanghai
    w = report_window(Settings({"NEWSBOT_WINDOW_HOURS": 12}), now=now)
    assert w.live and w.day == date(2026, 2, 4)
    assert (w.start, w.cutoff) == (now - timedelta(hours=12), now)


def test_window_rejects_a_bad_cutoff():
    with pytest.raises(ValueError, match="HH:MM"):
        report_window(Settings({"NEWSBOT_DATE": "2026-02-04", "NEWSBOT_REPORT_CUTOFF": "nine"}))


# --- keys ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("英伟达将向OpenAI投资200亿美元", "Nvidia nears deal to invest $20 billion in OpenAI"),
        ("获福田资本8亿元人民币战略投资", "raises 800 million yuan from Futian Capital"),
        ("估值高达1.25万亿美元", "a $1.25 trillion combination"),
        ("年薪高达55.5万美元", "a job listed at $555,000"),
        ("融资1亿美元", "Overland AI raises $100M"),
        ("第一季度销售额约98亿美元", "sales of about $9.8bn in the first quarter"),
        ("增长超300%", "grew more than 300 percent"),
    ],
)
def test_amounts_match_across_languages(zh, en):
    assert number_keys(zh) and number_keys(zh) == number_keys(en)


def test_dates_counts_and_versions_are_not_keyed():
    assert number_keys("2月4日消息，Kimi K2.5在11个领域超过Gemini 3，2026年") == frozenset()


def test_entities_fold_case_and_drop_generic_words_and_places():
    assert entity_keys(["OpenAI", "openai ", "人工智能", "Moonshot AI"]) == {"openai", "moonshotai"}
    stored = {"organizations": ["英伟达"], "people": ["黄仁勋"], "places": ["美国"]}
    assert entity_names(stored) == ["英伟达", "黄仁勋"]


def test_shingles_ignore_the_date_prefix():
    assert shingles("2月4日消息，英伟达发布新芯片") == shingles("2月5日，英伟达发布新芯片")


def test_minhash_estimates_jaccard():
    rng = random.Random(7)
    words = [f"w{i}" for i in range(400)]
    a = set(rng.sample(words, 200))
    b = set(list(a)[:150]) | set(rng.sample(words, 50))
    sa, sb = minhash(a), minhash(b)
    estimate = sum(x == y for x, y in zip(sa, sb, strict=True)) / len(sa)
    assert abs(estimate - len(a & b) / len(a | b)) < 0.2


# --- same event -------------------------------------------------------------------------------------

GD_AI = "2月4日消息，广东省政府发布《加快数字社会高质量建设实施意见》，明确提出将加快人工智能技术应用服务，支持培育垂直领域“人工智能+工业软件”与智能机器人服务商，并支持开源鸿蒙社区建设，旨在壮大数字技术应用服务新业态。"  # noqa: E501
GD_CAR = "2月4日消息，广东省在《加快数字社会高质量建设实施意见》中提出，将完善智能数字生活服务，具体措施包括拓展无人驾驶公共交通运营区域，扩大智能网联汽车道路测试与示范应用范围，以推进民生服务数字化新模式。"  # noqa: E501
ANT_TENDER = "2月4日消息，AI公司Anthropic正筹划一项员工股权出售计划，允许部分员工以至少3500亿美元的估值出售公司股份，同时该公司还在进行一轮可能筹集超过200亿美元的新融资。"  # noqa: E501
ANT_SELLOFF = "2月4日消息，Anthropic发布的一款新的AI自动化工具引发了市场恐慌，导致软件、金融服务和资产管理等行业的股票遭遇了2850亿美元的抛售，突显了生成式AI对传统行业的颠覆性冲击。"  # noqa: E501
NV_ZH = "2月4日消息，英伟达接近达成一项协议，将向OpenAI的最新一轮融资投资200亿美元，这标志着这家芯片制造商对ChatGPT开发商进行的单笔最大规模投资。"  # noqa: E501
NV_EN = "2月4日消息，Nvidia Corp. is nearing a deal to invest $20 billion in OpenAI's latest funding round."


def test_two_policies_of_one_province_stay_apart():
    a = cand("a", GD_AI, ["广东省", "加快数字社会高质量建设实施意见"], region="domestic")
    b = cand("b", GD_CAR, ["广东省", "加快数字社会高质量建设实施意见"], region="domestic")
    assert jaccard(a.keys.shingles, b.keys.shingles) < 0.3
    assert not same_event(a.keys, b.keys)


def test_two_events_of_one_company_stay_apart():
    a, b = cand("a", ANT_TENDER, ["Anthropic"]), cand("b", ANT_SELLOFF, ["Anthropic"])
    assert not same_event(a.keys, b.keys)
    # Same amount, different companies: Nvidia's $20bn is not Anthropic's $20bn round.
    assert not same_event(cand("c", NV_ZH, ["英伟达", "OpenAI"]).keys, a.keys)


def test_chinese_and_english_reports_of_one_event_merge():
    zh, en = cand("zh", NV_ZH, ["英伟达", "OpenAI"]), cand("en", NV_EN, ["英伟达", "OpenAI"])
    assert jaccard(zh.keys.shingles, en.keys.shingles) < 0.1  # nothing textual in common
    assert same_event(zh.keys, en.keys)


def test_paraphrases_merge_and_the_best_ranked_is_shown():
    a = cand(
        "a",
        "2月4日消息，阿里巴巴开源了智能体编程模型Qwen3-Coder-Next，适用于家用电脑等低成本部署场景。",
        ["阿里巴巴", "Qwen3-Coder-Next"],
        score=60,
    )  # noqa: E501
    b = cand(
        "b",
        "2月4日消息，阿里巴巴开源智能体编程模型Qwen3-Coder-Next，可在家用电脑、轻量服务器上低成本部署。",
        ["阿里巴巴", "Qwen3-Coder-Next"],
        score=75,
    )  # noqa: E501
    c = cand("c", ANT_SELLOFF, ["Anthropic"], score=90)
    clusters, stats = cluster([a, b, c])
    assert clusters == [[2], [1, 0]]  # ranked by score; b represents its cluster
    assert stats.merged == 1


# --- scale ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_twenty_thousand_articles_cluster_near_linearly():
    cands, truth = synthetic_day(20_000)
    n = len(cands)
    clusters, stats = cluster(cands)

    assert sorted(i for c in clusters for i in c) == list(range(n))
    # Work: far below the n²/2 ≈ 2·10⁸ comparisons of an all-pairs pass, and a few per article however
    # large the popular companies' buckets grow (bench/cluster.py compares 2,000 with 20,000).
    assert stats.comparisons < 10 * n, stats
    recall, impurity = cluster_quality(clusters, truth)
    assert recall > 0.97, recall
    assert impurity < 0.005, impurity


def test_latin_names_are_names_not_words():
    keys = make_keys(
        "China's Moonshot AI Model Tops Usage Chart for Viral OpenClaw Agent",
        "2月3日消息，Moonshot AI's Kimi K2.5 has become the most-used model among people running OpenClaw, "
        "according to OpenRouter data. Orders rose.",
        {"organizations": ["月之暗面"]},
    )
    assert {"openclaw", "openrouter", "k2.5"} <= keys.names
    assert "orders" not in keys.names and "moonshot" not in keys.names  # a word; a gazetteer alias
    assert keys.central == {"月之暗面"}  # named as "Moonshot AI" and "Kimi"


def test_one_story_in_two_languages_without_amounts_merges():
    zh = cand("zh", "2月4日消息，据OpenRouter最新数据，月之暗面旗下大模型Kimi K2.5在OpenClaw的模型调用量排行中位列第一。",
              ["月之暗面", "谷歌"], title="OpenRouter数据：Kimi K2.5登顶OpenClaw模型调用量榜首")  # fmt: skip
    en = cand("en", "2月3日消息，Moonshot AI's Kimi K2.5 has become the most-used model among people running the "
              "viral open-source agent OpenClaw, according to OpenRouter data, edging out Google's Gemini 3 Flash.",
              ["月之暗面", "谷歌"], title="China's Moonshot AI Model Tops Usage Chart for Viral OpenClaw Agent")  # fmt: skip
    other = cand("o", "2月4日消息，OpenClaw爆火一个月，开源智能体的安全问题开始显现，多家安全公司发出警告。", [],
                 title="OpenClaw爆火一个月：开源智能体的“安全债”开始显现")  # fmt: skip
    assert same_event(zh.keys, en.keys)
    assert not same_event(en.keys, other.keys) and not same_event(zh.keys, other.keys)


def test_two_english_reports_of_one_event_merge_on_their_wording():
    ft = cand("ft", "2月4日消息，Shares in Thomson Reuters, RELX and wealth managers fall sharply after Claude "
              "plug-ins target legal and financial workflows", ["Anthropic"],
              title="Software and data stocks tumble as Anthropic tool stokes AI disruption fears")  # fmt: skip
    cnbc = cand("cnbc", "2月4日消息，CNBC's tech team breaks down the selloff in software and data stocks after "
                "Anthropic released new plug-ins for its Claude Cowork agent.", ["Anthropic"],
                title="Software stocks sink as Anthropic's new AI tools stoke disruption fears")  # fmt: skip
    tender = cand("t", "2月4日消息，Anthropic PBC is planning to let some employees sell shares at a valuation of "
                  "at least $350 billion.", ["Anthropic"], title="Anthropic Plans Employee Tender Offer")  # fmt: skip
    assert same_event(ft.keys, cnbc.keys)
    assert not same_event(ft.keys, tender.keys) and not same_event(cnbc.keys, tender.keys)
