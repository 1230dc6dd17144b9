"""Chat messages built from the report JSON, split into numbered parts that fit a channel's limit.

A report becomes a list of blocks: one per entry, one per overview paragraph, one footer. Parts
are packed greedily from whole blocks, so an entry is never cut across two messages. A part that
starts in the middle of a region repeats the region heading ("国内动态（续）"). The size of a part
is measured on the exact payload the channel will send (JSON bytes, or characters for Slack).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from newsbot.analysis.schema import ALSO_LABEL, IMPORTANCE_MARK

SECTION_TITLES = {"domestic": "国内动态", "international": "国际动态", "overview": "📊 今日总结"}
REPORT_TITLE = "AI每日动态"
ALERT_TITLE = "newsbot 告警"
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\. )")


@dataclass(frozen=True)
class Block:
    section: str  # domestic | international | overview | footer | alert
    text: str = ""  # overview paragraph, footer or alert line
    entry: dict | None = None
    heading: str = ""  # the section's heading when the report names its own (the weekly 本周总结)


@dataclass(frozen=True)
class Part:
    blocks: tuple[Block, ...]
    index: int  # 1-based
    total: int

    @property
    def label(self) -> str:
        return f" ({self.index}/{self.total})" if self.total > 1 else ""


def report_blocks(report: dict) -> list[Block]:
    blocks = [Block("domestic", entry=e) for e in report.get("domestic") or []]
    blocks += [Block("international", entry=e) for e in report.get("international") or []]
    for paragraph in str(report.get("overview") or "").split("\n"):
        if paragraph.strip():
            blocks.append(Block("overview", text=paragraph.strip(), heading=overview_title(report)))
    blocks += [Block("footer", text=line) for line in report_footer(report)]
    return blocks


def report_footer(report: dict) -> list[str]:
    """Broken and missing sources, as the report's stats record them."""
    stats = report.get("stats") or {}
    lines = []
    broken = stats.get("broken_sources") or []
    if broken:
        names = "、".join(
            f"{b.get('source_name') or b.get('source')}（{b.get('reason_zh') or b.get('reason', '')}）" for b in broken
        )
        lines.append(f"⚠️ 来源异常：{names}")
    missing = stats.get("missing_sources") or []
    if missing:
        names = "、".join(_missing_name(m) for m in missing)
        lines.append(f"⚠️ 本期缺失来源：{names}")
    return lines


# The report's own wording for a source that contributed nothing (newsbot.report.render).
MISSING_LABELS = {"blocked": "被拦截", "error": "抓取失败", "empty": "无内容", "missing": "未抓取"}


def _missing_name(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    name = str(item.get("source_name") or item.get("source"))
    status = item.get("status")
    return f"{name}（{MISSING_LABELS.get(status, status)}）" if status else name


def overview_title(report: dict) -> str:
    """The closing summary's heading: the report's own (a weekly report's 本周总结), else 今日总结."""
    return str(report.get("overview_title") or SECTION_TITLES["overview"])


def header_line(report: dict) -> str:
    domestic, international = len(report.get("domestic") or []), len(report.get("international") or [])
    raw = report.get("raw_count")
    counts = f"国内 {domestic} 条 · 国际 {international} 条"
    return f"从 {raw} 条原始信息中精选 · {counts}" if raw is not None else counts


def title(report: dict) -> str:
    """The report's own title when it has one (the weekly report), else the daily title."""
    return str(report.get("title") or f"{REPORT_TITLE} - {report.get('date', '')}".strip(" -"))


# -- text hygiene -----------------------------------------------------------------------------------
_MD_NEUTRAL = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "'", "*": "＊", "|": "｜"})


def md_text(value) -> str:
    """Article text as inert chat markdown: one line, no links, tags or emphasis of its own.

    Titles and summaries come from third-party pages; a `[click](http://x)` or `<font>` inside
    them must show as text, and a newline must not start a heading."""
    return " ".join(str(value or "").split()).translate(_MD_NEUTRAL)


def md_url(url: str) -> str:
    """A URL that cannot close the markdown link around it."""
    return str(url or "").strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def slack_escape(value) -> str:
    # Slack's mrkdwn control characters, per its message formatting docs.
    text = " ".join(str(value or "").split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def entry_lines(
    entry: dict,
    link: Callable[[str, str], str],
    text: Callable[[object], str],
    rank_format: str = "{}.",
) -> list[str]:
    """An entry's lines, in the seed's order: rank and mark with the title link, summary, source
    and tags, then the other sources that reported the same event."""
    head = [rank_format.format(entry["rank"])] if entry.get("rank") is not None else []
    mark = IMPORTANCE_MARK.get(str(entry.get("importance") or ""))
    head += [mark] if mark else []
    head.append(link(text(entry.get("title")), entry.get("url") or ""))
    lines = [" ".join(head)]
    if entry.get("summary"):
        lines.append(text(entry["summary"]))
    meta = f"来源：{text(entry.get('source_name') or entry.get('source'))}"
    tags = [text(t) for t in entry.get("tags") or [] if str(t).strip()]
    if tags:
        meta += f" · 标签：{'、'.join(tags)}"
    lines.append(meta)
    also = entry.get("also_reported_by") or []
    if also:
        lines.append(
            ALSO_LABEL
            + "："
            + "、".join(link(text(a.get("source_name") or a.get("source")), a.get("url", "")) for a in also)
        )
    return lines


def shorten(block: Block, fits: Callable[[Block], bool]) -> Block:
    """The largest version of an oversized block that fits: first drop the extras, then cut the
    summary (or text) at the longest prefix that fits, marked with an ellipsis."""
    if block.entry is not None:
        lean = {**block.entry, "also_reported_by": [], "tags": [], "reason": ""}
        candidate = replace(block, entry=lean)
        if fits(candidate):
            return candidate
        summary = str(lean.get("summary") or "")

        def make(n: int) -> Block:
            return replace(candidate, entry={**lean, "summary": summary[:n].rstrip() + "…"})
    else:
        text = block.text

        def make(n: int) -> Block:
            return replace(block, text=text[:n].rstrip() + "…")

        summary = text
    lo, hi = 0, len(summary)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(make(mid)):
            lo = mid
        else:
            hi = mid - 1
    return make(lo)


def split_paragraph(block: Block, fits: Callable[[Block], bool]) -> list[Block]:
    """An overview or footer paragraph too long for one message, cut at sentence ends."""
    if block.entry is not None or fits(block):
        return [block]
    pieces = [p for p in _SENTENCE_END.split(block.text) if p.strip()]
    out: list[Block] = []
    current = ""
    for piece in pieces:
        trial = current + piece
        if current and not fits(replace(block, text=trial)):
            out.append(replace(block, text=current.strip()))
            current = piece
        else:
            current = trial
    if current.strip():
        out.append(replace(block, text=current.strip()))
    return out


Fits = Callable[[Part, str | None], bool]


def pack(blocks: list[Block], fits: Fits) -> list[Part]:
    """Greedy packing of whole blocks into parts.

    fits(part, previous_section) says whether a candidate part, rendered, is within the limit.
    Candidates are probed as part 1 (the long header) or part 99 of 99 (the widest label), so the
    real numbering can only make a part smaller. A block that does not fit even alone is split
    (paragraphs) or shortened (entries) first."""

    def probe(group: list[Block], first: bool, previous: str | None) -> bool:
        return fits(Part(tuple(group), 1 if first else 99, 99), previous)

    def alone(block: Block) -> bool:
        # The worst case for one block: the long first-part header and a continued heading.
        return probe([block], True, None) and probe([block], False, block.section)

    ready: list[Block] = []
    for block in blocks:
        for piece in split_paragraph(block, alone):
            ready.append(piece if alone(piece) else shorten(piece, alone))
    groups: list[list[Block]] = []
    current: list[Block] = []
    for block in ready:
        previous = groups[-1][-1].section if groups else None
        if not current or probe([*current, block], not groups, previous):
            current.append(block)
        else:
            groups.append(current)
            current = [block]
    if current or not groups:
        groups.append(current)
    return [Part(tuple(g), i, len(groups)) for i, g in enumerate(groups, 1)]


def sections_with_headings(part: Part, previous_section: str | None) -> list[tuple[str | None, Block]]:
    """(heading or None, block): a heading wherever the section changes, marked （续） when the
    section began in an earlier part."""
    out = []
    current = previous_section
    first = True
    for block in part.blocks:
        heading = None
        if block.section != current or first:
            name = block.heading or SECTION_TITLES.get(block.section)
            if name:
                continued = first and block.section == previous_section
                heading = name + ("（续）" if continued else "")
            current = block.section
        first = False
        out.append((heading, block))
    return out


def previous_sections(parts: list[Part]) -> list[str | None]:
    """For each part, the section the part before it ended in."""
    out: list[str | None] = [None]
    for part in parts[:-1]:
        out.append(part.blocks[-1].section if part.blocks else out[-1])
    return out
