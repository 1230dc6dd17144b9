"""Region: where the story's subject is, not where its source is.

The headline and the lead decide; names further down the body only corroborate (a few, weakly), so a
long article that mentions a Chinese giant in passing stays about its foreign subject. A source's
explicit `region` is a prior used only when the story itself gives no sign either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbot.analysis.lexicon import Mention
from newsbot.text.lang import is_chinese

# Where an entity is named matters more than how often.
TITLE_W, OPENING_W, BODY_W = 3.0, 1.5, 0.3
BODY_CAP = 1.0  # the body's total, per region: corroboration, never the verdict
KIND_W = {"org": 1.0, "person": 0.9, "place": 0.6}
TIER_W = {2: 1.2, 1: 1.0, 0: 0.8}
# Below this margin the story gives no clear sign, and the source's explicit region (when set) decides.
NO_SIGNAL = 0.5

# A Chinese organisation name the gazetteer does not know: "天顿数据科技有限公司", "「擎波探索」".
ZH_ORG_RE = re.compile(
    r"[\u4e00-\u9fff]{2,8}(?:科技|集团|股份|控股|资本|半导体|微电子|精工|新能源)(?:有限公司|股份有限公司|公司)?"
    r"|「[^」]{2,12}」"
)
_YUAN_RE = re.compile(r"(?:人民币|\d(?:万|亿)?元|\byuan\b|\bRMB\b)", re.I)
# The vocabulary of Chinese public life: a province, city or county ("山东德州", "杭州市"), the
# national institutions and the first person plural of the national press ("我国", "全国").
_ZH_DOMESTIC_RE = re.compile(
    r"我国|全国|国内|中央|国务院|政治局|人大|政协|发改委|工信部|网信办|证监会|央行|央企|国企|地方政府"
    r"|[\u4e00-\u9fff]{2,3}(?:省|自治区)|(?<![外美英法德日韩俄欧])[\u4e00-\u9fff]{1,3}(?:市|县)(?:委|政府|公安|警方|人民)"
    r"|(?:公安|警方|派出所|法院|检察院)(?:机关|部门)?(?:通报|破获|抓获|侦破|立案|判决)"
    r"|(?:北京|上海|广州|深圳|杭州|南京|成都|武汉|重庆|天津|西安|苏州|合肥|山东|江苏|浙江|广东|福建|河南|河北|湖北|湖南|四川|安徽|江西|山西|陕西|辽宁|吉林|黑龙江|云南|贵州|广西|海南|甘肃|青海|宁夏|新疆|西藏|内蒙古)"
)


@dataclass(frozen=True)
class RegionJudgement:
    region: str
    scores: dict[str, float]


def _mention_weight(mentions: list[Mention], weight: float, scores: dict[str, float], cap: int | None = None) -> None:
    seen: dict[str, int] = {}
    for m in mentions:
        seen[m.entity.name] = seen.get(m.entity.name, 0) + 1
        if cap is not None and seen[m.entity.name] > cap:
            continue
        scores[m.entity.region] += weight * KIND_W[m.entity.kind] * TIER_W[m.entity.tier]


def judge_region(r) -> RegionJudgement:
    """`r` is a judgements.Reading."""
    scores = {"domestic": 0.0, "international": 0.0}
    _mention_weight(r.title_m, TITLE_W, scores)
    _mention_weight(r.opening_m, OPENING_W, scores)
    body = {"domestic": 0.0, "international": 0.0}
    _mention_weight(r.body_m, BODY_W, body, cap=1)
    for region, value in body.items():
        scores[region] += min(BODY_CAP, value)
    # Chinese-named organisations the gazetteer does not know are almost always Chinese.
    known = [(m.start, m.end) for m in r.title_m]
    unknown = [m for m in ZH_ORG_RE.finditer(r.title) if not any(s < m.end() and m.start() < e for s, e in known)]
    scores["domestic"] += 1.0 * min(2, len(unknown)) + 0.5 * min(2, len(ZH_ORG_RE.findall(r.opening)))
    head = f"{r.title} {r.opening}"
    if _YUAN_RE.search(head):
        scores["domestic"] += 0.5
    if not any(m.entity.kind != "place" for m in r.title_m):
        # Only for a story whose headline names no actor: a foreign chief's visit to Beijing stays his.
        scores["domestic"] += 0.8 * min(2, len(_ZH_DOMESTIC_RE.findall(head)))
    rounded = {k: round(v, 2) for k, v in scores.items()}
    if abs(scores["domestic"] - scores["international"]) >= NO_SIGNAL:
        return RegionJudgement(max(scores, key=scores.get), rounded)
    home = r.article.home_region
    if home in scores:
        return RegionJudgement(home, rounded)
    # No actor, place or institution either way, and no prior: a story told in Chinese that names no
    # one abroad is about China (the language read from the headline itself, not the feed's claim).
    return RegionJudgement("domestic" if is_chinese(r.title, min_cjk=2) else "international", rounded)
