"""Read the seed report back into entries, so a test can render them and compare layouts."""

from __future__ import annotations

import re

from tests.shared import shared_file

SEED_NAME = "seed/ai-daily-2026-02-04.txt"
_MARKS = {"🔥": "high", "📌": "medium", "📄": "low"}
_ENTRY_RE = re.compile(r"^(\d+)、(🔥|📌|📄) (.*)$")


def read_seed() -> str:
    """The seed report (../shared/seed/ beside the clone): a failure in CI when it is missing, else a skip."""
    return shared_file(SEED_NAME).read_text(encoding="utf-8")


def parse_seed(text: str) -> dict:
    lines = text.split("\n")
    out = {"generated_at": lines[2].split(": ", 1)[1], "raw_count": int(re.search(r"从 (\d+) 条", lines[3]).group(1))}
    regions = {"domestic": [], "international": []}
    current = None
    for i, line in enumerate(lines):
        if line == "【国内动态】":
            current = "domestic"
        elif line == "【国际动态】":
            current = "international"
        elif current and (m := _ENTRY_RE.match(line)):
            source_name, url = lines[i + 2].split("📰 来源: ", 1)[1].split(" | 🔗 ")
            regions[current].append(
                {
                    "rank": int(m.group(1)),
                    "importance": _MARKS[m.group(2)],
                    "summary": m.group(3),
                    "reason": lines[i + 1].split("📋 入选理由: ", 1)[1],
                    "source_name": source_name,
                    "url": url,
                    "tags": lines[i + 3].split("🏷️ 标签: ", 1)[1].split(", "),
                }
            )
        elif line.startswith("📊 今日总结: "):
            out["overview"] = line.split(": ", 1)[1]
    out.update(regions)
    return out
