"""Local servers for the operations tests: a webhook receiver, an SMTP server with STARTTLS and
AUTH, and a fake scrapyd. All listen on 127.0.0.1 on a free port and record what they receive."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


# handler(request) -> (status, headers, body)
Handler = Callable[[Request], tuple[int, dict, bytes | str]]


@dataclass
class LocalHTTPServer:
    handler: Handler
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self):
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k: v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                owner.requests.append(request)
                status, headers, body = owner.handler(request)
                data = body.encode("utf-8") if isinstance(body, str) else body
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server():
    """http_server(handler) -> a running LocalHTTPServer; all are stopped after the test."""
    servers = []

    def start(handler: Handler) -> LocalHTTPServer:
        server = LocalHTTPServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def sample_entry(rank: int, region: str, *, summary_chars: int = 120) -> dict:
    source = ("36kr", "36氪") if region == "domestic" else ("bloomberg", "Bloomberg Technology")
    body = "英伟达接近达成一项协议，将向OpenAI投资两百亿美元，重塑AI领域的资本格局。"
    summary = (f"2月4日消息，第{rank}条：" + body * 10)[:summary_chars]
    return {
        "rank": rank,
        "title": f"{region} story {rank}: Nvidia nears $20bn OpenAI deal [exclusive]",
        "summary": summary,
        "url": f"https://example.com/{region}/{rank}?id={rank}",
        "source": source[0],
        "source_name": source[1],
        "region": region,
        "importance": ("high", "medium", "low")[rank % 3],
        "score": 100 - rank,
        "category": "融资",
        "reason": "属于重大商业动态。",
        "tags": ["融资", "英伟达", "OpenAI"],
        "published_at": "2026-02-04T08:00:00+08:00",
        "also_reported_by": [{"source": "cnbc", "source_name": "CNBC Tech", "url": f"https://cnbc.com/{rank}"}],
    }


def sample_report(domestic: int = 3, international: int = 2, *, summary_chars: int = 120) -> dict:
    return {
        "date": "2026-02-04",
        "generated_at": "2026-02-04T08:52:17+08:00",
        "raw_count": 172,
        "domestic": [sample_entry(i, "domestic", summary_chars=summary_chars) for i in range(1, domestic + 1)],
        "international": [
            sample_entry(i, "international", summary_chars=summary_chars) for i in range(1, international + 1)
        ],
        "overview": "今日共精选国内5条、国际5条。重点关注：英伟达投资OpenAI。",
        "stats": {
            "broken_sources": [
                {"source": "ft", "source_name": "Financial Times Tech", "reason_zh": "连续 2 次运行被拦截"}
            ]
        },
    }


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
