"""A local HTTP server for crawl tests (Scrapy's own tests do the same): routes are set per test,
served from a thread on 127.0.0.1, with optional delays to provoke timeouts. A crawl may fetch from it
only when the test allows it: NEWSBOT_ALLOW_PRIVATE_HOSTS=server.host (and `-a domains=127.0.0.1` for
article pages, which are only fetched on the source's own domains)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0


class MockServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                route = server.routes.get(self.path)
                if route is None:
                    route = Route(b"not found", 404, {"Content-Type": "text/plain"})
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up first (size cap, timeout): that is the point

            # A beacon is a POST: counted and answered like a GET, so a test sees every request that arrives.
            do_POST = do_GET  # noqa: N815 - http.server's naming

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())

    @property
    def host(self) -> str:
        """host:port, for NEWSBOT_ALLOW_PRIVATE_HOSTS: the fetch policy refuses 127.0.0.1 unless told."""
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def feed_args(self, feed_url: str) -> list[str]:
        """Spider arguments for a crawl of one of this server's feeds, with its article pages allowed."""
        return ["-a", f"feeds={feed_url}", "-a", "domains=127.0.0.1"]

    @property
    def allowed(self) -> dict[str, str]:
        """The setting that lets a crawl fetch from this server (the fetch policy refuses loopback)."""
        return {"NEWSBOT_ALLOW_PRIVATE_HOSTS": self.host}

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str, **kwargs) -> str:
        self.routes[path] = Route(body.encode("utf-8") if isinstance(body, str) else body, **kwargs)
        return self.url(path)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
