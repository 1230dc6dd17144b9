"""The day as HTML for the WeChat official-account editor, which strips classes, ids and style sheets
and drops external links from published articles: only p, section, span, strong, a, br, h1-h4 and
lists, every style inline, and each link's address also written out as plain text."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from newsbot.report.build import build_report

_env = Environment(
    loader=PackageLoader("newsbot.desk", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
)


def wechat_html(payload: dict, corrected: set[str] | frozenset[str] = frozenset()) -> str:
    """The JSON report as WeChat HTML; entries whose url is in `corrected` carry a 更正 mark."""
    sections = []
    for name, key in (("国内", "domestic"), ("国际", "international")):
        sections.append((name, [{**e, "corrected": e["url"] in corrected} for e in payload.get(key) or []]))
    return _env.get_template("wechat.html").render(
        day=payload["date"], overview=payload.get("overview") or "", sections=sections
    )


def wechat_day(settings, db, window) -> str:
    return wechat_html(build_report(settings, db, window).payload())
