"""The packing of report blocks into parts: whole entries, numbered parts, oversized blocks."""

from __future__ import annotations

from newsbot.delivery import messages as m
from tests.ops.conftest import sample_entry, sample_report


def render(part: m.Part, previous) -> str:
    out = [f"T{part.label}"]
    for heading, block in m.sections_with_headings(part, previous):
        if heading:
            out.append(heading)
        out.append(block.entry["url"] + "|" + block.entry["summary"] if block.entry else block.text)
    return "\n".join(out)


def fits_under(limit: int):
    return lambda part, previous: len(render(part, previous).encode()) <= limit


def test_parts_hold_whole_entries_in_order_and_number_themselves():
    report = sample_report(7, 6)
    parts = m.pack(m.report_blocks(report), fits_under(900))
    assert len(parts) > 2
    assert [p.label for p in parts] == [f" ({i}/{len(parts)})" for i in range(1, len(parts) + 1)]
    entries = [b.entry for p in parts for b in p.blocks if b.entry]
    assert entries == report["domestic"] + report["international"]
    rendered = [render(p, prev) for p, prev in zip(parts, m.previous_sections(parts), strict=True)]
    assert all(len(r.encode()) <= 900 for r in rendered)
    continued = [r for r in rendered[1:] if r.split("\n")[1].endswith("（续）")]
    assert continued, "a part that starts mid-region repeats the heading"


def test_an_entry_bigger_than_a_message_is_shortened_not_split():
    huge = sample_entry(1, "domestic", summary_chars=5000)
    huge["summary"] = "很长的摘要。" * 800
    parts = m.pack([m.Block("domestic", entry=huge)], fits_under(1000))
    [part] = parts
    [block] = part.blocks
    assert block.entry["summary"].endswith("…")
    assert block.entry["url"] == huge["url"]
    assert 900 < len(render(part, None).encode()) <= 1000, "cut at the longest prefix that fits"


def test_a_long_overview_is_split_at_sentence_ends():
    sentences = [f"第{i}句话讲今天的一件大事。" for i in range(40)]
    report = {"date": "2026-02-04", "domestic": [], "international": [], "overview": "".join(sentences)}
    parts = m.pack(m.report_blocks(report), fits_under(300))
    texts = [b.text for p in parts for b in p.blocks]
    assert len(parts) > 1 and "".join(texts) == "".join(sentences)
    assert all(t.endswith("。") for t in texts)


def test_markdown_text_is_inert():
    assert m.md_text("a [click](http://evil) <font color=red>x</font>\n# h") == (
        "a ［click］(http://evil) ＜font color=red＞x＜/font＞ # h"
    )
    assert m.md_url("https://x.com/a b(c)") == "https://x.com/a%20b%28c%29"
