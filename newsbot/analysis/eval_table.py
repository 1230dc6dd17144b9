"""`scrapy evalprompts --against` as a person reads it: one delta table (metric, a, b, a−b, which is
better), how many labelled rows each side got right where they differ, and every changed row, with
summaries side by side."""

from __future__ import annotations

import unicodedata

# Metrics where a lower figure is the better one; every other numeric metric: higher is better.
LOWER_IS_BETTER = {"unknown_names", "unknown_numbers", "over_limit", "shown_as_entry", "junk_shown_as_entry"}
# Figures that describe the run, not its quality: shown without a verdict.
NEUTRAL = {"rows", "days", "chars_mean", "chars_max", "limit", "support"}
COLUMN = 44  # display cells per summary column


def flat_metrics(result: dict, prefix: str = "") -> dict[str, float]:
    """Numeric metrics of one run as dotted names (per-class figures and run figures left out)."""
    out: dict[str, float] = {}
    for key, value in result.items():
        if key in (
            "run",
            "details",
            "per_class",
            "analyzers",
            "per_day",
            "failed_days",
            "fallback_rows",
            "by_day",
            "headline",
        ):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_metrics(value, name + "."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = value
    return out


def delta_rows(a: dict, b: dict) -> list[dict]:
    fa, fb = flat_metrics(a), flat_metrics(b)
    rows = []
    for name in [n for n in fa if n in fb]:
        diff = round(fa[name] - fb[name], 4)
        leaf = name.rsplit(".", 1)[-1]
        if leaf in NEUTRAL or diff == 0:
            better = "=" if diff == 0 else ""
        elif (diff > 0) != (leaf in LOWER_IS_BETTER):
            better = "a"
        else:
            better = "b"
        rows.append({"metric": name, "a": fa[name], "b": fb[name], "a_minus_b": diff, "better": better})
    return rows


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, cells: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if width(line + ch) > cells:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line or not lines else lines


def pad(text: str, cells: int) -> str:
    return text + " " * max(0, cells - width(text))


def side_by_side(a: str, b: str, cells: int = COLUMN) -> list[str]:
    left, right = wrap(a or "", cells), wrap(b or "", cells)
    n = max(len(left), len(right))
    left += [""] * (n - len(left))
    right += [""] * (n - len(right))
    return [f"    {pad(x, cells)} | {y}".rstrip() for x, y in zip(left, right, strict=True)]


def _fmt(value) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def render(result: dict) -> str:
    """The text report of an --against comparison (result as `evaluate` returns it)."""
    rows = result["delta"]
    name_w = max([len("metric"), *(len(r["metric"]) for r in rows)])
    lines = [
        f"a = {result['a']['prompts']} (prompt {result['a']['run']['prompt_version']})",
        f"b = {result['b']['prompts']} (prompt {result['b']['run']['prompt_version']})",
        "",
        f"{'metric':<{name_w}}  {'a':>9}  {'b':>9}  {'a−b':>9}  better",
        f"{'-' * name_w}  {'-' * 9}  {'-' * 9}  {'-' * 9}  ------",
    ]
    for r in rows:
        diff = f"{r['a_minus_b']:+.4f}".rstrip("0").rstrip(".") if r["a_minus_b"] else "0"
        lines.append(f"{r['metric']:<{name_w}}  {_fmt(r['a']):>9}  {_fmt(r['b']):>9}  {diff:>9}  {r['better']}")
    wins = result.get("rows_better", {})
    if wins:
        lines += [
            "",
            f"labelled rows that differ: better in a {wins.get('a', 0)}, better in b {wins.get('b', 0)}, "
            f"right in neither {wins.get('neither', 0)}",
        ]
    changed = result.get("changed") or []
    lines += ["", f"changed rows: {len(changed)}"]
    for row in changed:
        lines.append(f"- {row['id']}: {row['title']}")
        for field, diff in row["changes"].items():
            if field == "summary_zh":
                lines.append("  summary_zh (a | b):")
                lines += side_by_side(str(diff["a"] or ""), str(diff["b"] or ""))
            elif "expected" in diff:
                lines.append(f"  {field}: expected {diff['expected']}, a {diff['a']}, b {diff['b']} → {diff['better']}")
            else:
                lines.append(f"  {field}: a {diff['a']} | b {diff['b']}")
    return "\n".join(lines)
