"""Starting the desk: the guard for the bound address, the day's database and window, uvicorn."""

from __future__ import annotations

import uvicorn

from newsbot.desk.app import make_app
from newsbot.desk.guard import Guard
from newsbot.desk.wechat import wechat_day
from newsbot.report.review import approve_day
from newsbot.storage.connection import sync_db
from newsbot.text.window import report_window


def desk_app(settings, host: str, port: int, editor: str, env=None):
    """(app, client): the desk application for the day NEWSBOT_DATE names; DeskRefused when its
    address needs a token and none is configured. The caller closes the client."""
    guard = Guard.for_bind(host, port, editor, env)
    window = report_window(settings)
    client, db = sync_db(settings)
    app = make_app(
        settings,
        db,
        window,
        guard,
        on_approve=lambda who: approve_day(settings, who)[0],
        wechat=lambda: wechat_day(settings, db, window),
    )
    return app, client


def serve(settings, host: str, port: int, editor: str) -> None:
    app, client = desk_app(settings, host, port, editor)
    try:
        print(f"desk for {report_window(settings).day}: http://{host}:{port}/", flush=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    finally:
        client.close()
