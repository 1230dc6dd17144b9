"""Templates of the published pages and the weekly report (package data under archive/templates).

The same Jinja2 guarantees as the daily report: HTML and XML are autoescaped, undefined names fail,
links go through `safe_url`, and inline style is allowed by hash only (the pages' CSP)."""

from __future__ import annotations

from jinja2 import Environment

from newsbot.analysis.schema import ALSO_LABEL, IMPORTANCE_MARK
from newsbot.report.render import csp_hash, template_environment
from newsbot.report.render import environment as report_environment

_ENV: Environment | None = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        env = template_environment("newsbot.archive", escaped=("html", "html.j2", "xml"))
        env.globals["mark"] = IMPORTANCE_MARK
        env.globals["also_label"] = ALSO_LABEL
        _ENV = env
    return _ENV


def static(name: str, env: Environment | None = None) -> str:
    """A file of the templates folder as it is (style sheets and scripts)."""
    env = env or environment()
    source, _, _ = env.loader.get_source(env, name)
    return source


def page_style(*extra: str) -> str:
    """The daily report's style sheet, so every page of the site looks alike, plus the page's own."""
    return static("report.css", report_environment()) + "".join(static(name) for name in extra)


def csp(style: str, scripts: bool = False) -> str:
    """The page's policy: its own inline style by hash, no inline script, and scripts (when it has
    any) only from the site's own files. Subresource integrity is not used: a file:// page cannot
    check it (no CORS there), and Chromium then blocks the script."""
    script_src = "'self'" if scripts else "'none'"
    return (
        f"default-src 'none'; script-src {script_src}; style-src {csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
