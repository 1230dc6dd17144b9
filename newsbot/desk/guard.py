"""Who may use the desk, checked on every request before any handler runs.

- Off loopback the desk needs a token (NEWSBOT_DESK_TOKEN, "secret" or "name:secret,name:secret"),
  given once as /login?token=... and then carried by an HttpOnly SameSite=Strict cookie; without a
  token configured the desk refuses to start (DeskRefused).
- The Host header must name the bound address: a page on another site that rebinds its DNS name to
  127.0.0.1 still sends its own name, and is refused.
- Every POST carries the form's CSRF token (random per process, compared in constant time) and, when
  the browser sends one, an Origin of the desk itself.
- Every answer carries a strict CSP (no script at all, styles only from the desk) and no framing.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

TOKEN_ENV = "NEWSBOT_DESK_TOKEN"
COOKIE = "newsbot_desk"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer Chromium sends its own forms with "Origin: null".
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class DeskRefused(RuntimeError):
    """The desk will not start as asked; the message is one line."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_tokens(value: str | None, default_editor: str) -> dict[str, str]:
    """secret -> editor name, from "secret" or "name:secret,name:secret"."""
    out = {}
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, secret = part.partition(":")
        if not sep:
            name, secret = default_editor, part
        if len(secret) < 16:
            raise DeskRefused(f"{TOKEN_ENV}: each token must be at least 16 characters long")
        out[secret] = name.strip() or default_editor
    return out


@dataclass
class Guard:
    host: str
    port: int
    editor: str
    tokens: dict[str, str] = field(default_factory=dict)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @classmethod
    def for_bind(cls, host: str, port: int, editor: str, env=None) -> Guard:
        tokens = parse_tokens((env if env is not None else os.environ).get(TOKEN_ENV), editor)
        if not is_loopback(host) and not tokens:
            raise DeskRefused(
                f"the desk binds to {host}, which is not loopback: set {TOKEN_ENV} to a secret "
                "(or bind to 127.0.0.1, the default)"
            )
        return cls(host=host, port=port, editor=editor, tokens=tokens)

    @property
    def allowed_hosts(self) -> set[str]:
        name = f"[{self.host}]" if ":" in self.host else self.host
        hosts = {f"{name}:{self.port}"}
        if is_loopback(self.host):
            hosts |= {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        return hosts

    def editor_of(self, request: Request) -> str | None:
        """The editor asking, or None when a token is needed and not given."""
        if not self.tokens:
            return self.editor
        given = request.cookies.get(COOKIE) or ""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            given = header[7:].strip()
        for secret, name in self.tokens.items():
            if given and hmac.compare_digest(given.encode(), secret.encode()):
                return name
        return None

    def refusal(self, request: Request, form: dict | None) -> Response | None:
        """Why this request is refused (403/421 answer), or None."""
        if request.headers.get("host", "") not in self.allowed_hosts:
            return PlainTextResponse("refused: this desk answers only at its own address\n", status_code=421)
        if request.url.path == "/login":
            return None
        if self.editor_of(request) is None:
            return PlainTextResponse("refused: a desk token is needed (open /login?token=...)\n", status_code=403)
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin and origin.split("://", 1)[-1] not in self.allowed_hosts:
                return PlainTextResponse("refused: a form from another site\n", status_code=403)
            given = (form or {}).get("csrf", "")
            if not given or not hmac.compare_digest(given.encode(), self.csrf.encode()):
                return PlainTextResponse("refused: the form's CSRF token is missing or wrong\n", status_code=403)
        return None


def secured(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response
