"""The browser guard's judgement of one address, without a browser: the same rules as Scrapy's
requests (literal and resolved addresses, schemes, the source's domains for navigations)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsbot.fetch.browser import FINAL_URL, REFUSALS, BrowserPolicyMiddleware
from newsbot.fetch.middlewares import SourceDomainsMiddleware
from newsbot.fetch.policy import ForbiddenAddress, ForbiddenScheme, OffsiteRequest


class Site(Spider):
    name = "site"
    allowed_domains = ["127.0.0.1"]


@pytest.fixture
def guard(monkeypatch):
    crawler = get_crawler(Site, {"NEWSBOT_ALLOW_PRIVATE_HOSTS": ["127.0.0.1:8080"]})
    crawler.spider = Site()
    domains = SourceDomainsMiddleware.from_crawler(crawler)
    domains.spider_opened(crawler.spider)
    middleware = BrowserPolicyMiddleware(crawler)
    # The engine's middleware chain does not exist without a running crawl: hand over the domain filter.
    monkeypatch.setattr(middleware, "_domains", lambda: domains)
    return middleware


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://127.0.0.1:8080/page", None),
        ("ws://127.0.0.1:8080/socket", None),
        ("http://93.184.215.14/pixel.png", None),
        ("http://127.0.0.1:9090/page", ForbiddenAddress),
        ("wss://127.0.0.1:9090/socket", ForbiddenAddress),
        ("http://localhost:8080/page", ForbiddenAddress),  # a name, judged on what it resolves to
        ("http://169.254.169.254/latest/meta-data/", ForbiddenAddress),
        ("http://[::ffff:127.0.0.1]:8080/", ForbiddenAddress),
        ("http://10.1.2.3/", ForbiddenAddress),
        ("http://127.0.0.1:99999/", ForbiddenAddress),
        ("file:///etc/passwd", ForbiddenScheme),
        ("ftp://127.0.0.1:8080/x", ForbiddenScheme),
    ],
)
def test_every_request_kind_gets_the_address_policy(guard, url, refused):
    verdict = asyncio.run(guard.refusal(url, navigation=False))
    assert (verdict and verdict[0]) == refused, verdict


def test_navigations_stay_on_the_source_domains(guard):
    assert asyncio.run(guard.refusal("http://127.0.0.1:8080/next", navigation=True)) is None
    exc_class, why = asyncio.run(guard.refusal("http://93.184.215.14/", navigation=True))
    assert exc_class is OffsiteRequest and "not one of the source's domains" in why
    # A subresource may come from anywhere public (a CDN): only the page's own address is held to the domains.
    assert asyncio.run(guard.refusal("http://93.184.215.14/", navigation=False)) is None


def test_a_page_with_a_refusal_is_refused_and_a_redirected_page_keeps_its_final_address(guard):
    request = Request("http://127.0.0.1:8080/a", meta={"playwright": True})
    guard.process_request(request)
    assert request.meta["playwright_context_kwargs"]["service_workers"] == "block"
    assert request.meta["playwright_page_init_callback"] == guard.guard_page
    response = HtmlResponse(request.url, body=b"<p>x</p>", request=request, flags=["playwright"])
    request.meta[FINAL_URL] = "http://127.0.0.1:8080/b"
    assert guard.process_response(request, response).url == "http://127.0.0.1:8080/b"
    request.meta[REFUSALS].append((ForbiddenAddress, "http://127.0.0.1:9090/secret"))
    with pytest.raises(ForbiddenAddress, match="1 request"):
        guard.process_response(request, response)
    with pytest.raises(ForbiddenAddress):
        guard.process_exception(request, RuntimeError("net::ERR_FAILED"))
    # Requests without a browser are left alone.
    plain = Request("http://127.0.0.1:8080/feed")
    guard.process_request(plain)
    assert "playwright_page_init_callback" not in plain.meta
