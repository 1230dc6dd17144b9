"""The desk's Starlette application: one page for the day and its actions, every one behind the
Guard (guard.py). Handlers run the blocking database work in Starlette's thread pool."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from urllib.parse import parse_qs

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from newsbot.desk.guard import COOKIE, Guard, secured
from newsbot.desk.view import day_view
from newsbot.storage.edits import DROP_REASONS, EditConflict, InvalidEdit, save_edit

FORM_LIMIT = 64 * 1024
EDITABLE = ("importance", "region", "summary", "reason", "tags", "order")
_env = Environment(
    loader=PackageLoader("newsbot.desk", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
)


def _value(name: str, text: str):
    text = text.strip()
    if name == "tags":
        return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]
    if name == "order":
        return int(text) if text.isdigit() else None
    return text


def changes_of(form: dict) -> list[tuple[str, object]]:
    """(field, value) for each action of a submitted story form: a drop, a promotion, or the fields
    whose value differs from the one the page showed (was_<field>)."""
    action = form.get("action", "save")
    if action == "drop":
        return [("drop", form.get("drop_reason", ""))]
    if action in ("promote", "restore"):
        return [(action, True)]
    out = []
    for name in EDITABLE:
        if name in form and form[name].strip() != form.get(f"was_{name}", "").strip():
            value = _value(name, form[name])
            if value is not None and value != "":
                out.append((name, value))
    return out


def make_app(settings, db, window, guard: Guard, on_approve: Callable[[str], str], wechat: Callable[[], str]):
    day = window.day.isoformat()

    def page(editor: str, notice: str = "", kept: dict | None = None, status: int = 200) -> Response:
        view = day_view(settings, db, window)
        html = _env.get_template("desk.html").render(
            view=view,
            editor=editor,
            csrf=guard.csrf,
            notice=notice,
            kept=kept or {},
            reasons=DROP_REASONS,
        )
        return HTMLResponse(html, status_code=status)

    async def read_form(request: Request) -> dict | None:
        if request.method != "POST":
            return None
        body = await request.body()
        if len(body) > FORM_LIMIT:
            return {}
        parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[-1] for k, v in parsed.items()}

    async def guarded(request: Request, handler) -> Response:
        form = await read_form(request)
        refused = guard.refusal(request, form)
        if refused is not None:
            return secured(refused)
        editor = guard.editor_of(request) or ""
        return secured(await run_in_threadpool(handler, request, form, editor))

    def show(request, form, editor):
        return page(editor)

    def edit(request, form, editor):
        try:
            seen = int(form.get("version", ""))
        except ValueError:
            return PlainTextResponse("refused: the form names no version\n", status_code=400)
        url = form.get("url", "")
        try:
            for field, value in changes_of(form):
                seen = save_edit(db, day, url, field, value, editor, seen)
        except EditConflict as exc:
            notice = (
                f"冲突：{exc.by} 已在你打开页面之后修改了这条（版本 {exc.current}）。"
                "你的修改没有保存，已保留在下方表单中，请核对后再提交。"
            )
            return page(editor, notice, kept={"url": url, **form}, status=409)
        except InvalidEdit as exc:
            return page(editor, f"没有保存：{exc}", kept={"url": url, **form}, status=400)
        return RedirectResponse("/", status_code=303)

    def approve(request, form, editor):
        return page(editor, on_approve(editor))

    def export(request, form, editor):
        return HTMLResponse(wechat(), headers={"Content-Disposition": f'inline; filename="{day}-wechat.html"'})

    def stylesheet(request, form, editor):
        css = files("newsbot.desk").joinpath("templates/desk.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css")

    def no_icon(request, form, editor):
        # Browsers ask for one on every page: an empty answer, not a 404 in the console.
        return Response(status_code=204)

    async def login(request: Request) -> Response:
        refused = guard.refusal(request, None)
        if refused is not None:
            return secured(refused)
        token = request.query_params.get("token", "")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        return secured(response)

    def route(path, handler, methods=("GET",)):
        async def endpoint(request: Request) -> Response:
            return await guarded(request, handler)

        return Route(path, endpoint, methods=list(methods))

    return Starlette(
        routes=[
            route("/", show),
            route("/edit", edit, ("POST",)),
            route("/approve", approve, ("POST",)),
            route("/wechat", export),
            route("/desk.css", stylesheet),
            route("/favicon.ico", no_icon),
            Route("/login", login),
        ]
    )
