"""Analysed article documents, as the store and analysis pipelines leave them, for report tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsbot.sources.catalog import SOURCES

DAY = "2026-02-04"
# The window of DAY with the default 09:00 +08:00 cutoff and 24 hours.
CUTOFF = datetime(2026, 2, 4, 1, 0, tzinfo=UTC)
START = CUTOFF - timedelta(hours=24)


def article(
    url: str,
    title: str,
    source: str,
    summary_zh: str | None,
    *,
    hours_before_cutoff: float = 5,
    published_at: datetime | None = None,
    region: str = "international",
    score: int = 50,
    importance: str | None = None,
    ai_relevant: bool = True,
    entities=(),
    tags=("人工智能", "商业动态", "测试"),
    reason: str = "属于商业动态。",
    category: str = "商业动态",
    analyzer: str = "heuristic",
    usage: dict | None = None,
    body: str = "",
) -> dict:
    src = SOURCES[source]
    published = published_at or CUTOFF - timedelta(hours=hours_before_cutoff)
    doc = {
        "url": url,
        "original_url": url,
        "source": source,
        "source_name": src.display_name,
        "title": title,
        "published_at": published,
        "fetched_at": CUTOFF,
        "first_seen": CUTOFF,
        "last_seen": CUTOFF,
        "authors": [],
        "feed_categories": [],
        "lang": src.lang,
        "summary": body[:200],
        "content": body,
        "paywalled": src.paywalled,
        "content_source": "feed",
        "date_missing": False,
        "guid": url,
        "feed_url": src.feeds[0],
        "extra": {},
    }
    if summary_zh is not None:
        doc["analysis"] = {
            "ai_relevant": ai_relevant,
            "region": region,
            "category": category,
            "importance": importance or ("high" if score >= 65 else "medium" if score >= 45 else "low"),
            "score": score,
            "summary_zh": summary_zh,
            "reason_zh": reason,
            "tags": list(tags),
            "entities": list(entities),
            "analyzer": analyzer,
            "model": "gpt-test" if analyzer == "llm" else None,
            "prompt_version": "test",
            "usage": usage or {"prompt_tokens": 0, "completion_tokens": 0},
            "analyzed_at": CUTOFF,
        }
    return doc


P = "2月4日消息，"

GD_AI = (
    P
    + "广东省政府发布《加快数字社会高质量建设实施意见》，明确提出将加快人工智能技术应用服务，支持培育垂直领域“人工智能+工业软件”与智能机器人服务商，并支持开源鸿蒙社区建设。"
)  # noqa: E501
GD_CAR = (
    P
    + "广东省在《加快数字社会高质量建设实施意见》中提出，将完善智能数字生活服务，拓展无人驾驶公共交通运营区域，扩大智能网联汽车道路测试与示范应用范围。"
)  # noqa: E501


def seed_like_day() -> list[dict]:
    """A small day in the seed's image: two Guangdong policies, one story in two languages, two
    Anthropic stories, a Chinese story told twice, and articles that must never be reported."""
    kr, bbg = "https://36kr.com/p/", "https://www.bloomberg.com/news/articles/2026-02-03/"
    return [
        article(kr + "1?f=rss", "广东：支持培育垂直领域“人工智能+工业软件”与智能机器人服务商", "36kr", GD_AI,
                region="domestic", score=88, entities=["广东省"], tags=["政策法规", "人工智能", "工业软件"],
                body="广东省政府发布《加快数字社会高质量建设实施意见》，支持培育“人工智能+工业软件”服务商。"),
        article(kr + "2?f=rss", "广东：拓展无人驾驶公共交通运营区域", "36kr", GD_CAR,
                region="domestic", score=87, entities=["广东省"], tags=["政策法规", "自动驾驶", "智能网联汽车"],
                body="广东省提出拓展无人驾驶公共交通运营区域，扩大智能网联汽车道路测试。"),
        article(kr + "3?f=rss", "最前线｜「天顿数据」获福田资本8亿元战略投资", "36kr",
                P + "深圳天顿数据科技有限公司获得福田资本8亿元人民币战略投资，资金将用于加强AI智算基础设施建设。",
                region="domestic", score=84, entities=["天顿数据", "福田资本"], tags=["融资", "智算", "基础设施"],
                body="天顿数据获福田资本8亿元战略投资，用于AI智算基础设施建设。"),
        article("https://www.qbitai.com/2026/02/1.html", "天顿数据完成8亿元战略融资，福田资本出资", "qbitai",
                P + "天顿数据宣布完成福田资本8亿元战略融资，将投入AI智算中心与多元异构算力服务。",
                region="domestic", score=70, entities=["天顿数据", "福田资本"], tags=["融资", "算力", "智算"],
                body="天顿数据完成福田资本8亿元战略融资，投入AI智算中心。"),
        article(bbg + "nvidia-openai", "Nvidia Nears Deal to Invest $20 Billion in OpenAI", "bloomberg",
                P + "Nvidia is nearing a deal to invest $20 billion in OpenAI's latest funding round.",
                score=95, entities=["英伟达", "OpenAI"], tags=["英伟达", "OpenAI", "融资"],
                body="Nvidia is nearing a deal to invest $20 billion in OpenAI's latest funding round."),
        article(kr + "4?f=rss", "英伟达拟向OpenAI投资200亿美元", "36kr",
                P + "英伟达接近达成协议，将向OpenAI最新一轮融资投资200亿美元，为其对ChatGPT开发商的最大单笔投资。",
                score=80, entities=["英伟达", "OpenAI"], tags=["英伟达", "OpenAI", "战略投资"],
                body="英伟达接近达成协议，将向OpenAI投资200亿美元。"),
        article(bbg + "anthropic-tender", "Anthropic Plans Employee Tender Offer at $350 Billion Valuation",
                "bloomberg", P + "Anthropic plans an employee tender offer at a valuation of at least $350 billion.",
                score=90, entities=["Anthropic"], tags=["Anthropic", "估值", "员工股权"],
                body="Anthropic plans an employee tender offer at a valuation of at least $350 billion."),
        article(bbg + "anthropic-selloff", "Anthropic AI Tool Sparks $285 Billion Selloff", "bloomberg",
                P + "A new Anthropic automation tool sparked a $285 billion selloff in software and finance stocks.",
                score=89, entities=["Anthropic"], tags=["Anthropic", "AI工具", "金融市场"],
                body="A new Anthropic automation tool sparked a $285 billion selloff in software stocks."),
        article("https://www.theverge.com/tech/1/script", "<script>window.__pwned = 1</script> & <b>bold</b> claims",
                "theverge", P + "A title with <script>alert('x')</script> must show as text.", score=30,
                entities=["The Verge"], tags=["<img src=x onerror=alert(1)>", "安全", "测试"],
                reason="<script>window.__pwned = 2</script>",
                body="A title with a script tag must show as text."),
        # Never reported: not AI, not analysed, outside the window (before the start / at the cutoff).
        article(bbg + "netflix", "Netflix, Warner Bros Defend Deal", "bloomberg",
                P + "Netflix and Warner Bros defend their deal.", ai_relevant=False, score=40),
        article("https://www.cnbc.com/2026/02/03/unanalysed.html", "Not analysed yet", "cnbc", None),
        article(kr + "stale?f=rss", "过期的AI新闻：某公司发布大模型", "36kr", P + "某公司发布大模型。",
                region="domestic", score=99, published_at=START - timedelta(seconds=1)),
        article(kr + "cutoff?f=rss", "截止时刻的AI新闻：智谱发布新模型", "36kr", P + "智谱发布新模型。",
                region="domestic", score=99, published_at=CUTOFF),
        # Exactly at the start: inside (the start is inclusive).
        article("https://blogs.nvidia.com/blog/huang-3dexperience-2026/", "NVIDIA and Dassault Systèmes Partner",
                "nvidia", P + "NVIDIA and Dassault Systèmes build a shared industrial AI architecture.",
                score=75, published_at=START, entities=["英伟达", "达索系统"], tags=["英伟达", "达索系统", "工业AI"],
                body="NVIDIA and Dassault Systèmes build a shared industrial AI architecture."),
    ]  # fmt: skip


NEVER_REPORTED = {
    "https://www.bloomberg.com/news/articles/2026-02-03/netflix",
    "https://www.cnbc.com/2026/02/03/unanalysed.html",
    "https://36kr.com/p/stale?f=rss",
    "https://36kr.com/p/cutoff?f=rss",
}


def run_doc(source: str, status: str = "ok", **counts) -> dict:
    finished = CUTOFF - timedelta(minutes=30)
    doc = {
        "source": source,
        "started_at": finished - timedelta(minutes=1),
        "finished_at": finished,
        "status": status,
        "items_seen": 10,
        "stored": 10,
        "failed_pages": 0,
        "errors": 0,
        "blocked": 0,
    }
    doc.update(counts)
    return doc
