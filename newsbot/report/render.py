"""Rendering a built report: one Jinja2 template per format (txt, md, html, json), in memory.

Templates only lay out what `build.Report` holds. HTML is autoescaped and carries a
Content-Security-Policy that lets only its own inline script and style run (by hash).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from newsbot.analysis.schema import ALSO_LABEL, IMPORTANCE_MARK
from newsbot.config.values import REPORT_FORMATS
from newsbot.report.anchors import entry_anchor
from newsbot.report.build import Report
from newsbot.report.threads import link_day, zh_day

OVERVIEW_LABELS = {"llm": "LLM 撰写", "heuristic": "离线规则", "heuristic-fallback": "LLM 失败后离线规则"}
STATUS_LABELS = {"blocked": "被拦截", "error": "抓取失败", "empty": "无内容", "missing": "未抓取"}


def missing_line(missing: list[dict], broken: list[dict] | None = None) -> str:
    """The one footer line naming sources missing today and sources broken for several runs."""
    parts = []
    if missing:
        labels = [f"{m['source_name']}（{STATUS_LABELS.get(m['status'], m['status'])}）" for m in missing]
        parts.append("⚠️ 本期缺失来源: " + "、".join(labels))
    if broken:
        labels = [f"{b['source_name']}（{b.get('reason_zh') or b.get('reason')}）" for b in broken]
        parts.append("🚨 持续异常来源: " + "、".join(labels))
    return "；".join(parts)


def window_line(window: dict) -> str:
    """'2026-02-03T09:00:00+08:00' to '2026-02-04T09:00:00+08:00' as a reader says it:
    2月3日 09:00 至 2月4日 09:00（UTC+8）."""
    try:
        start, cutoff = (datetime.fromisoformat(window[k]) for k in ("start", "cutoff"))
    except (KeyError, TypeError, ValueError):
        return ""
    offset = start.utcoffset() or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    zone = f"UTC{hours:+d}" + (f":{rest // 60:02d}" if rest else "") if offset else "UTC"
    return f"{zh_day(start.date())} {start:%H:%M} 至 {zh_day(cutoff.date())} {cutoff:%H:%M}（{zone}）"


def analysis_line(stats: dict) -> str:
    """Who wrote the day's judgements: token counts and cost only when an LLM was asked."""
    llm = stats.get("llm") or {}
    used = (llm.get("by_analyzer") or {}).get("llm") or llm.get("prompt_tokens") or llm.get("overview") == "llm"
    fallbacks = int(stats.get("fallbacks") or 0)
    if used:
        line = (
            f"LLM: {llm.get('prompt_tokens', 0)} + {llm.get('completion_tokens', 0)} tokens"
            f" · ${float(llm.get('cost_usd') or 0):.4f}"
        )
    else:
        line = "分析: 离线规则（未调用 LLM）"
    if fallbacks:
        line += f" · 回退 {fallbacks} 次"
    overview = llm.get("overview")
    return line + f" · 今日总结: {OVERVIEW_LABELS.get(overview, overview)}" if overview else line


def _one_line(value) -> str:
    return " ".join(str(value or "").split())


def _md_escape(value) -> str:
    """Escape what starts inline markup mid-line (entries never start a line, so no # + - here):
    emphasis, code, links (brackets), raw HTML, strikethrough and table pipes."""
    text = _one_line(value)
    for ch in "\\`*_[]<>~|":
        text = text.replace(ch, "\\" + ch)
    return text


def _safe_url(value) -> str:
    """Only http(s) links are ever emitted: a stored URL is data, not a place to run code."""
    url = str(value or "").strip()
    return url if urlsplit(url).scheme in ("http", "https") else "#"


def _md_url(value) -> str:
    return quote(_safe_url(value), safe=":/?#[]@!$&'*+,;=%~-._")


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def template_environment(package: str, escaped=("html", "html.j2")) -> Environment:
    """A Jinja2 environment over `package`'s templates folder with the report's guarantees: the
    `escaped` extensions autoescaped, undefined names fail, and the report's filters."""
    env = Environment(
        # Package data, so a scrapyd egg (a zip) finds the templates too.
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(enabled_extensions=escaped, default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters.update(
        one_line=_one_line,
        md=_md_escape,
        safe_url=_safe_url,
        md_url=_md_url,
        anchor=entry_anchor,
        zh_day=zh_day,
        link_day=link_day,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


@functools.cache
def environment() -> Environment:
    return template_environment("newsbot.report")


def _static(name: str) -> str:
    env = environment()
    source, _, _ = env.loader.get_source(env, name)
    return source


def template_context(report: Report, nav: dict | None = None) -> dict:
    """`nav` (the published site's links to the previous and next day, the index and the week) is
    None for the stand-alone report."""
    missing = report.stats.get("missing_sources") or []
    broken = report.stats.get("broken_sources") or []
    script, style = _static("report.js"), _static("report.css")
    return {
        "r": report,
        "date": report.date,
        "generated_at": report.generated_at.strftime("%Y-%m-%d %H:%M:%S"),
        "raw_count": report.raw_count,
        "domestic": report.domestic,
        "international": report.international,
        "short_domestic": report.domestic[: report.short_top],
        "short_international": report.international[: report.short_top],
        "overview": report.overview,
        "stats": report.stats,
        "missing": missing or broken,
        "missing_line": missing_line(missing, broken),
        "window_line": window_line(report.stats.get("window") or {}),
        "analysis_line": analysis_line(report.stats),
        "mark": IMPORTANCE_MARK,
        "also_label": ALSO_LABEL,
        "nav": nav,
        "script": script,
        "style": style,
        "csp": f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'",
    }


def render_formats(report: Report, formats=REPORT_FORMATS, nav: dict | None = None) -> dict[str, str]:
    """Every requested format rendered in memory first: a template error writes nothing."""
    env = environment()
    context = template_context(report, nav)
    out = {}
    for fmt in formats:
        if fmt not in REPORT_FORMATS:
            raise ValueError(f"unknown report format {fmt!r}; known: {', '.join(REPORT_FORMATS)}")
        if fmt == "json":
            out[fmt] = env.get_template("report.json.j2").render(payload=report.payload())
        else:
            out[fmt] = env.get_template(f"report.{fmt}.j2").render(context)
    return out
