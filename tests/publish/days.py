"""Two more days after the bundled 2026-02-04, as the store and analysis pipelines leave them:
stories that continue (with new facts), a repeat without new facts, new events and hostile text."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.report.factory import article

BBG = "https://www.bloomberg.com/news/articles/"
KR = "https://36kr.com/p/"

# The bundled day's lead international story, which runs all week.
NVIDIA_DAY1_URL = BBG + "2026-02-03/nvidia-nears-deal-to-invest-20-billion-in-openai-funding-round"
NVIDIA_DAY2_URL = BBG + "2026-02-04/nvidia-openai-sign-20-billion-investment-as-softbank-adds-30-billion"
NVIDIA_DAY3_URL = BBG + "2026-02-05/nvidia-completes-20-billion-openai-investment-at-830-billion-valuation"
CAMBRICON_REPEAT_URL = "https://www.qbitai.com/2026/02/cambricon-repeat.html"
HOSTILE_URL = "https://www.theverge.com/ai/2026/2/4/hostile"
HOSTILE_TITLE = "<script>window.__pwned = 1</script> & <b>bold</b> claims about Claude"


def at(day: str, hour: int) -> datetime:
    """A publication time on `day`, in UTC (hour 0 = 08:00 Shanghai, inside that day's window)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def day_two() -> list[dict]:
    """2026-02-05: window 02-04 01:00Z to 02-05 01:00Z."""
    p = "2月5日消息，"
    return [
        article(NVIDIA_DAY2_URL, "Nvidia, OpenAI Sign $20 Billion Investment as SoftBank Adds $30 Billion", "bloomberg",
                p + "Nvidia and OpenAI signed the $20 billion investment agreement, and SoftBank agreed to add $30 billion to the round.",
                published_at=at("2026-02-04", 14), score=97, entities=["英伟达", "OpenAI", "软银"],
                tags=["融资", "英伟达", "OpenAI", "软银"], category="融资",
                body="Nvidia and OpenAI signed the $20 billion investment agreement on Wednesday. SoftBank agreed to add $30 billion."),
        article(CAMBRICON_REPEAT_URL, "寒武纪拟定增募资不超40亿元，投向大模型训练芯片", "qbitai",
                p + "寒武纪公告拟向特定对象发行A股股票，募集资金总额不超过40亿元，用于面向大模型的训练芯片平台项目。",
                published_at=at("2026-02-04", 10), region="domestic", score=78, entities=["寒武纪"],
                tags=["融资", "寒武纪", "芯片"], category="融资",
                body="寒武纪公告，拟定增募资不超过40亿元，投向面向大模型的训练芯片平台项目。"),
        article(KR + "3670000000000001", "智谱发布GLM-5大模型，主打长程智能体任务", "36kr",
                p + "智谱正式发布新一代基座大模型GLM-5，主打长程智能体任务与代码能力，并同步开放API调用。",
                published_at=at("2026-02-04", 12), region="domestic", score=82, entities=["智谱"],
                tags=["产品发布", "智谱", "GLM-5", "大模型"], category="产品发布",
                body="智谱发布新一代基座大模型GLM-5，面向长程智能体任务，同步开放API。"),
        article("https://www.theverge.com/ai/2026/2/4/gemini-robotics", "Google DeepMind unveils Gemini Robotics 2 for factory arms",
                "theverge", p + "Google DeepMind unveiled Gemini Robotics 2, a model that lets factory robot arms learn new tasks from a few demonstrations.",
                published_at=at("2026-02-04", 16), score=76, entities=["谷歌"], tags=["产品发布", "谷歌", "机器人"],
                category="产品发布", body="Google DeepMind unveiled Gemini Robotics 2 for industrial robot arms."),
        article(HOSTILE_URL, HOSTILE_TITLE, "theverge",
                p + "A title with <script>alert('x')</script> about Claude must show as text.", published_at=at("2026-02-04", 18),
                score=60, entities=["Anthropic"], tags=["<img src=x onerror=alert(1)>", "安全伦理", "Anthropic"],
                reason="<script>window.__pwned = 2</script>", category="安全伦理",
                body="A title with a script tag must show as text."),
    ]  # fmt: skip


def day_three() -> list[dict]:
    """2026-02-06: window 02-05 01:00Z to 02-06 01:00Z."""
    p = "2月6日消息，"
    return [
        article(NVIDIA_DAY3_URL, "Nvidia Completes $20 Billion OpenAI Investment at $830 Billion Valuation", "bloomberg",
                p + "Nvidia completed its $20 billion investment in OpenAI, closing the round at an $830 billion valuation.",
                published_at=at("2026-02-05", 14), score=95, entities=["英伟达", "OpenAI"],
                tags=["融资", "英伟达", "OpenAI", "估值"], category="融资",
                body="Nvidia completed its $20 billion investment in OpenAI, which closed at an $830 billion valuation."),
        article(KR + "3671000000000002", "月之暗面完成5亿美元新一轮融资", "36kr",
                p + "月之暗面完成5亿美元新一轮融资，投后估值达到43亿美元，资金将用于Kimi大模型研发与算力采购。",
                published_at=at("2026-02-05", 11), region="domestic", score=85, entities=["月之暗面"],
                tags=["融资", "月之暗面", "Kimi", "大模型"], category="融资",
                body="月之暗面完成5亿美元融资，投后估值43亿美元。"),
        article(BBG + "2026-02-05/meta-data-center-louisiana", "Meta Signs $10 Billion Louisiana Data Center Power Deal",
                "bloomberg", p + "Meta signed a $10 billion power agreement for its Louisiana AI data center campus.",
                published_at=at("2026-02-05", 9), score=80, entities=["Meta"], tags=["基础设施", "Meta", "数据中心"],
                category="基础设施", body="Meta signed a $10 billion power agreement for its Louisiana AI data center."),
    ]  # fmt: skip
