"""Measuring an analyzer on a labelled dataset: the code behind `scrapy evalprompts`.

Metrics: accuracy and per-class precision/recall/F1 for ai_relevant, region and importance (and
category accuracy when rows carry it; for rows with a junk label, how many junk rows would be shown
as an entry), plus checks on the summaries: Chinese, one sentence, the
correct date prefix, no URL, and how much of the summary's wording comes from the source text.

`by_day` repeats every metric for each report day of the dataset, so a threshold tuned on the
pooled set can be seen to hold on every day separately. A row's day is its `day` field, else the
report day its published_at falls in (the day whose cut-off, NEWSBOT_REPORT_CUTOFF in NEWSBOT_TIMEZONE,
follows it). The date prefix a summary should start with is in NEWSBOT_TIMEZONE too.

A dataset holds authored rows (text written here) and reference lines {"labels": "PATH"} naming a
captured real day's labels (newsbot.analysis.realrows builds its rows at run time). A relative PATH
is read from the repository the dataset sits in. A label left open (None) is not scored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from newsbot.analysis.article import ArticleInput
from newsbot.analysis.realrows import row_kind
from newsbot.config.sections import Report
from newsbot.text.dates import date_prefix
from newsbot.text.kinds import is_entry
from newsbot.text.lang import CJK_RE, is_chinese
from newsbot.text.links import has_url
from newsbot.text.sentences import is_one_sentence

FIELDS = ("ai_relevant", "region", "importance")
CLASSES = {
    "ai_relevant": ["true", "false"],
    "region": ["domestic", "international"],
    "importance": ["high", "medium", "low"],
}


class DatasetError(ValueError):
    pass


def read_dataset(path: str | Path) -> tuple[list[dict], list[Path]]:
    """The authored rows of a dataset file, and the labels files its reference lines name."""
    rows: list[dict] = []
    references: list[Path] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise DatasetError(f"{path}:{lineno}: not JSON ({exc})") from exc
            if isinstance(row, dict) and "labels" in row and "id" not in row:
                references.append(_reference(Path(path), str(row["labels"])))
                continue
            missing = [k for k in ("id", "title", "text", "expected") if k not in row]
            if missing:
                raise DatasetError(f"{path}:{lineno}: missing {', '.join(missing)}")
            rows.append(row)
    if not rows and not references:
        raise DatasetError(f"{path}: no rows")
    return rows, references


def _reference(dataset: Path, labels: str) -> Path:
    target = Path(labels)
    if target.is_absolute():
        return target
    start = dataset.resolve().parent
    root = next((d for d in (start, *start.parents) if (d / "scrapy.cfg").is_file()), start)
    return Path(os.path.normpath(root / target))


def _label(field: str, value) -> str:
    if field == "ai_relevant":
        return "true" if value else "false"
    return str(value)


def classification(expected: list, predicted: list, classes: list[str]) -> dict:
    n = len(expected)
    correct = sum(e == p for e, p in zip(expected, predicted, strict=True))
    per_class = {}
    for cls in classes:
        tp = sum(e == cls and p == cls for e, p in zip(expected, predicted, strict=True))
        fp = sum(e != cls and p == cls for e, p in zip(expected, predicted, strict=True))
        fn = sum(e == cls and p != cls for e, p in zip(expected, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[cls] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": sum(e == cls for e in expected),
        }
    return {
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(sum(c["f1"] for c in per_class.values()) / len(per_class), 4) if per_class else 0.0,
        "per_class": per_class,
    }


def char_overlap(summary: str, source: str) -> float:
    """Share of the summary's content characters (CJK characters and Latin words) found in the source."""
    body = summary
    src = source.lower()
    tokens = CJK_RE.findall(body) + [w.lower() for w in _words(body)]
    if not tokens:
        return 0.0
    src_chars = set(CJK_RE.findall(src))
    src_words = set(_words(src))
    hits = sum(1 for t in tokens if (t in src_chars if len(t) == 1 and CJK_RE.match(t) else t in src_words))
    return hits / len(tokens)


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z0-9][A-Za-z0-9.\-]*", text.lower())


def summary_checks(record: dict, art: ArticleInput, report: Report) -> dict:
    summary = record.get("summary_zh", "")
    prefix = date_prefix(art.published_at, report.timezone)
    body = summary[len(prefix) :] if summary.startswith(prefix) else summary
    return {
        "chinese": is_chinese(body),
        "one_sentence": is_one_sentence(body),
        "date_prefix": summary.startswith(prefix),
        "no_url": not has_url(summary) and not has_url(record.get("reason_zh", "")),
        "overlap": round(char_overlap(body, f"{art.title}\n{art.text}"), 4),
    }


def metrics(rows: list[dict], records: list[dict], report: Report) -> dict:
    """REPORT (the configuration's report section) gives the time zone of the expected date prefix."""
    out: dict = {"rows": len(rows)}
    for field in FIELDS:
        scored = [(r, rec) for r, rec in zip(rows, records, strict=True) if r["expected"].get(field) is not None]
        exp = [_label(field, r["expected"][field]) for r, _ in scored]
        got = [_label(field, rec.get(field)) for _, rec in scored]
        out[field] = classification(exp, got, CLASSES[field])
        if len(scored) != len(rows):
            out[field]["rows"] = len(scored)
        if field == "ai_relevant":
            # The figure usually quoted for a binary label: F1 of the positive class.
            out[field]["f1"] = out[field]["per_class"]["true"]["f1"]
    with_cat = [(r, rec) for r, rec in zip(rows, records, strict=True) if r["expected"].get("category")]
    if with_cat:
        right = sum(r["expected"]["category"] == rec.get("category") for r, rec in with_cat)
        out["category"] = {"accuracy": round(right / len(with_cat), 4), "rows": len(with_cat)}
    junk = [(r, rec) for r, rec in zip(rows, records, strict=True) if r["expected"].get("junk")]
    if junk or any("junk" in r["expected"] for r in rows):
        out["junk"] = junk_figures(junk)
    checks = [summary_checks(rec, ArticleInput.from_row(r), report) for r, rec in zip(rows, records, strict=True)]
    zh_checks = [c for c, r in zip(checks, rows, strict=True) if (r.get("lang") or "zh") == "zh"]
    out["summary"] = {
        "chinese": _rate(c["chinese"] for c in checks),
        "one_sentence": _rate(c["one_sentence"] for c in checks),
        "date_prefix": _rate(c["date_prefix"] for c in checks),
        "no_url": _rate(c["no_url"] for c in checks),
        "overlap_mean": _mean(c["overlap"] for c in checks),
        # For Chinese sources the overlap is a faithfulness signal; for English ones it mostly
        # measures how many names were kept in Latin script.
        "overlap_mean_zh_sources": _mean(c["overlap"] for c in zh_checks),
    }
    analyzers: dict[str, int] = {}
    for rec in records:
        analyzers[rec.get("analyzer", "?")] = analyzers.get(rec.get("analyzer", "?"), 0) + 1
    out["analyzers"] = analyzers
    return out


def shown_as_entry(row: dict, record: dict) -> bool:
    """Whether the report would list the row: AI-relevant, and a story by the same test the report's
    candidates pass (newsbot.text.kinds), not a roundup, run log, advert or navigation link."""
    return record.get("ai_relevant") is True and is_entry(row.get("title", ""), row.get("text", ""))


def junk_figures(junk: list[tuple[dict, dict]]) -> dict:
    """The rows labelled junk (a digest, a crawler's log, an advert: AI-flavoured but no story) and how
    many of them the analyzer lets through as an entry: each one shown is a bad line in the daily."""
    return {
        "rows": len(junk),
        "shown_as_entry": sum(shown_as_entry(r, rec) for r, rec in junk),
    }


def row_day(row: dict, report: Report) -> str:
    """The report day a labelled row belongs to ("YYYY-MM-DD"), or "undated"."""
    if row.get("day"):
        return str(row["day"])
    try:
        published = datetime.fromisoformat(str(row.get("published_at") or "").replace("Z", "+00:00"))
    except ValueError:
        return "undated"
    if published.tzinfo is None:
        published = published.replace(tzinfo=report.timezone)
    local = published.astimezone(report.timezone)
    day: date = local.date() + timedelta(days=1) if local.time() >= report.cutoff else local.date()
    return day.isoformat()


def metrics_by_day(rows: list[dict], records: list[dict], report: Report) -> dict[str, dict]:
    """Every metric of `metrics`, once per report day, in date order."""
    days: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        days.setdefault(row_day(row, report), []).append(i)
    return {
        day: metrics([rows[i] for i in idx], [records[i] for i in idx], report) for day, idx in sorted(days.items())
    }


def headline(result: dict) -> dict:
    """The figures the heuristic is tuned against, from one `metrics` result."""
    out = {
        "rows": result["rows"],
        "importance_accuracy": result["importance"]["accuracy"],
        "high_precision": result["importance"]["per_class"]["high"]["precision"],
        "high_recall": result["importance"]["per_class"]["high"]["recall"],
        "region_accuracy": result["region"]["accuracy"],
        "ai_relevant_accuracy": result["ai_relevant"]["accuracy"],
        "ai_relevant_f1": result["ai_relevant"]["f1"],
    }
    if "category" in result:
        out["category_accuracy"] = result["category"]["accuracy"]
    if "junk" in result:
        out["junk_shown_as_entry"] = result["junk"]["shown_as_entry"]
    return out


def _rate(values: Iterable[bool]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


def row_result(row: dict, record: dict) -> dict:
    exp = row["expected"]
    out = {"id": row["id"], "kind": row_kind(row), "title": row["title"][:60]}
    for field in (*FIELDS, "category"):
        if field in exp:
            out[field] = {"expected": exp[field], "got": record.get(field)}
    out["score"] = record.get("score")
    out["analyzer"] = record.get("analyzer")
    out["summary_zh"] = record.get("summary_zh")
    return out


# Fields compared between two runs without a label: a prompt edit that only touches them is a change too.
UNLABELLED = ("summary_zh", "reason_zh", "tags", "score")


def changed_rows(rows: list[dict], a: list[dict], b: list[dict]) -> list[dict]:
    """Rows whose output differs between two runs: labelled verdicts (with which side matched the
    label) and the summary, reason, tags and score (no label: a and b only)."""
    changed = []
    for row, ra, rb in zip(rows, a, b, strict=True):
        diffs = {}
        for field in (*FIELDS, "category"):
            if ra.get(field) != rb.get(field):
                expected = row["expected"].get(field)
                diffs[field] = {
                    "expected": expected,
                    "a": ra.get(field),
                    "b": rb.get(field),
                    "better": "a" if ra.get(field) == expected else "b" if rb.get(field) == expected else "neither",
                }
        for field in UNLABELLED:
            va, vb = ra.get(field), rb.get(field)
            if field == "tags":
                va, vb = list(va or []), list(vb or [])
            if va != vb:
                diffs[field] = {"a": va, "b": vb}
        if diffs:
            changed.append({"id": row["id"], "title": row["title"][:60], "changes": diffs})
    return changed
