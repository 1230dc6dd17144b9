"""The fetch policy inside Chromium: every request a page loaded through scrapy-playwright makes.

Scrapy's own requests pass newsbot's downloader middlewares and resolver; Chromium's requests (the
page's scripts, images, fetches, frames, websockets, beacons, and the redirects it would follow on
its own) do not. BrowserPolicyMiddleware hands each browser request a page init callback that routes
all of the page's traffic through the same judgements (newsbot.fetch.policy and the source-domain
filter), with scrapy-playwright's own hooks:

- page.route: every HTTP request of the page and its frames. A refused subresource is aborted; a
  refused navigation is answered with an empty page by newsbot itself, so nothing reaches the server.
- Navigations are fetched here, one hop at a time (max_redirects=0), because Chromium follows
  redirects without asking the route again: each Location is judged before it is requested.
- page.route_web_socket: a websocket is connected only when its address passes.
- A route on the browser context refuses whatever comes from a page newsbot did not open (popups),
  and PLAYWRIGHT_ABORT_REQUEST refuses any request of a page whose guard failed to install.

A page with any refused request is refused as a whole (process_response raises the refusal): its
item keeps the feed text, like an article request Scrapy refused.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from functools import partial
from urllib.parse import urljoin, urlsplit
from weakref import WeakSet

import scrapy

from newsbot.config import config_for
from newsbot.fetch.middlewares import SourceDomainsMiddleware
from newsbot.fetch.policy import (
    ALLOWED_SCHEMES,
    ForbiddenAddress,
    ForbiddenScheme,
    OffsiteRequest,
    PolicyRefusal,
    PrivateAllowList,
    literal_address_refusal,
    parse_ip,
    resolved_address_refusal,
)
from newsbot.runs import stat_keys as keys

logger = logging.getLogger(__name__)

# Scrapy request meta: the refusals met while the page loaded ([(reason class, url)]) and the address
# the page's document really came from after redirects.
REFUSALS = "newsbot_browser_refusals"
FINAL_URL = "newsbot_browser_final_url"
# Service workers would fetch on the page's behalf outside its routes.
CONTEXT_KWARGS = {"service_workers": "block"}
WEBSOCKET_SCHEMES = {"ws": "http", "wss": "https"}

_GUARDED_PAGES: WeakSet = WeakSet()


def unguarded(playwright_request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: refuse every request of a page whose policy routes are not installed."""
    try:
        return playwright_request.frame.page not in _GUARDED_PAGES
    except Exception:  # a service worker's request has no frame: it is not the page's
        return True


class BrowserPolicyMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.allow = PrivateAllowList.from_settings(crawler.settings)
        crawl = config_for(crawler).crawl
        self.max_redirects = crawl.redirect_max_times
        self.timeout_ms = crawl.download_timeout * 1000
        self._contexts: WeakSet = WeakSet()
        self._answers: dict[str, tuple[str, ...]] = {}
        self.dns_cache_size = crawl.dnscache_size

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # -- Scrapy side ------------------------------------------------------------------------------
    def process_request(self, request, spider=None):
        if not request.meta.get("playwright"):
            return
        request.meta[REFUSALS] = []
        request.meta["playwright_page_init_callback"] = self.guard_page
        context_kwargs = request.meta.get("playwright_context_kwargs") or {}
        request.meta["playwright_context_kwargs"] = {**context_kwargs, **CONTEXT_KWARGS}

    def process_response(self, request, response, spider=None):
        self._raise_refusal(request)
        final = request.meta.get(FINAL_URL)
        if final and "playwright" in response.flags and final != response.url:
            return response.replace(url=final)
        return response

    def process_exception(self, request, exception, spider=None):
        # A page that failed after a refusal (its navigation answered by newsbot) was refused.
        self._raise_refusal(request)

    @staticmethod
    def _raise_refusal(request) -> None:
        refusals = request.meta.get(REFUSALS)
        if refusals:
            exc_class, first = refusals[0]
            raise exc_class(f"the page made {len(refusals)} request(s) the fetch policy refuses, first {first}")

    def _domains(self) -> SourceDomainsMiddleware | None:
        middlewares = self.crawler.engine.downloader.middleware.middlewares
        return next((mw for mw in middlewares if isinstance(mw, SourceDomainsMiddleware)), None)

    # -- the judgement, shared by every kind of request ------------------------------------------
    async def refusal(self, url: str, *, navigation: bool) -> tuple[type[PolicyRefusal], str] | None:
        parts = urlsplit(url)
        scheme = WEBSOCKET_SCHEMES.get(parts.scheme, parts.scheme)
        if scheme not in ALLOWED_SCHEMES or not parts.hostname:
            return ForbiddenScheme, f"scheme {parts.scheme!r} is not http(s)"
        try:
            port = parts.port
        except ValueError:
            return ForbiddenAddress, "the port is not a number"
        host = parts.hostname
        domains = self._domains() if navigation else None
        if domains is not None and not domains.should_follow(scrapy.Request(url), self.crawler.spider):
            self.stats.inc_value("offsite/filtered")
            return OffsiteRequest, f"{host!r} is not one of the source's domains"
        why = literal_address_refusal(host, port, self.allow)
        if why:
            return ForbiddenAddress, why
        if parse_ip(host) is not None:
            return None
        # Chromium may connect to any of the answers, so every one must pass.
        for address in await self._addresses(host):
            why = resolved_address_refusal(host, address, self.allow)
            if why:
                return ForbiddenAddress, why
        return None

    async def _addresses(self, host: str) -> tuple[str, ...]:
        """Every address `host` resolves to (IPv4 and IPv6), remembered for the run like Scrapy's DNS cache."""
        if host not in self._answers:
            try:
                answers = await asyncio.get_running_loop().getaddrinfo(host, 443, type=socket.SOCK_STREAM)
            except OSError:
                return ()  # a name that does not resolve: Chromium's own lookup fails the same way
            if len(self._answers) >= self.dns_cache_size:
                self._answers.clear()
            self._answers[host] = tuple(dict.fromkeys(str(info[4][0]) for info in answers))
        return self._answers[host]

    def _refused(self, request, url: str, exc_class: type[PolicyRefusal], why: str) -> None:
        refusals = request.meta.setdefault(REFUSALS, [])
        # A hostile page can make thousands of requests: one ERROR line a page, the rest counted.
        log = logger.error if not refusals else logger.debug
        log("Refusing %s, requested by the page %s in the browser: %s", url, request.url, why)
        refusals.append((exc_class, url))
        self.stats.inc_value(keys.under(keys.FETCH_REFUSED, exc_class.reason))
        self.stats.inc_value(keys.FETCH_REFUSED_BROWSER)

    # -- Chromium side ----------------------------------------------------------------------------
    async def guard_page(self, page, request) -> None:
        """scrapy-playwright's page init callback: runs after its own route, so these run first."""
        context = page.context
        if context not in self._contexts:
            await context.route("**", self._stray_request)
            await context.route_web_socket("**", self._stray_websocket)
            self._contexts.add(context)
        # A popup is no part of the article: closed at once, its requests refused by the context route.
        page.on("popup", lambda popup: asyncio.ensure_future(popup.close()))
        await page.route("**", partial(self._page_request, page, request))
        await page.route_web_socket("**", partial(self._page_websocket, request))
        _GUARDED_PAGES.add(page)

    async def _page_request(self, page, request, route, pw_request) -> None:
        navigation = pw_request.is_navigation_request()
        main_frame = navigation and pw_request.frame == page.main_frame
        refused = await self.refusal(pw_request.url, navigation=main_frame)
        if refused:
            self._refused(request, pw_request.url, *refused)
            await self._refuse_route(route, navigation)
        elif navigation:
            await self._navigate(page, request, route, pw_request, main_frame)
        else:
            await route.fallback()  # to scrapy-playwright's own handler (headers, abort predicate)

    async def _refuse_route(self, route, navigation: bool) -> None:
        if navigation:
            # An aborted navigation makes scrapy-playwright wait for a download; an empty answer does not.
            # (An empty 403 is an error page for Chromium, so the answer says why.)
            await route.fulfill(status=403, body=b"refused by the fetch policy", content_type="text/plain")
        else:
            await route.abort("blockedbyclient")

    async def _navigate(self, page, request, route, pw_request, main_frame: bool) -> None:
        # Imported here: a run without browser pages never loads Playwright.
        from playwright.async_api import Error as PlaywrightError
        from scrapy_playwright.headers import use_scrapy_headers

        scrapy_data = {"method": request.method, "url": request.url, "headers": request.headers, "body": request.body}
        headers = await use_scrapy_headers(
            browser_type_name="chromium", playwright_request=pw_request, scrapy_request_data=scrapy_data
        )
        url = pw_request.url
        try:
            response = await route.fetch(headers=headers, max_redirects=0, timeout=self.timeout_ms)
            for _hop in range(self.max_redirects + 1):
                location = response.headers.get("location")
                if not (300 <= response.status < 400 and location):
                    break
                url = urljoin(url, location)
                refused = await self.refusal(url, navigation=main_frame)
                if refused:
                    self._refused(request, url, *refused)
                    await self._refuse_route(route, navigation=True)
                    return
                response = await page.context.request.get(
                    url, headers=headers, max_redirects=0, timeout=self.timeout_ms
                )
            else:
                logger.warning("%s: more than %d redirects in the browser", request.url, self.max_redirects)
                await route.abort("failed")
                return
        except PlaywrightError as exc:
            logger.debug("Browser navigation to %s failed: %s", url, exc)
            await route.abort("failed")
            return
        if main_frame:
            request.meta[FINAL_URL] = url
        await route.fulfill(response=response)

    async def _page_websocket(self, request, ws) -> None:
        refused = await self.refusal(ws.url, navigation=False)
        if refused:
            self._refused(request, ws.url, *refused)
            await ws.close(code=1008, reason="refused by the fetch policy")
        else:
            ws.connect_to_server()

    async def _stray_request(self, route, pw_request) -> None:
        """Only requests no page route took reach the context's route: those of popups."""
        # Counted, not held against the opener: many article pages open advertising popups.
        logger.info("Refusing %s: it comes from a browser page newsbot did not open", pw_request.url)
        self._count_stray()
        await self._refuse_route(route, pw_request.is_navigation_request())

    async def _stray_websocket(self, ws) -> None:
        self._count_stray()
        await ws.close(code=1008, reason="refused by the fetch policy")

    def _count_stray(self) -> None:
        self.stats.inc_value(keys.under(keys.FETCH_REFUSED, "popup"))
        self.stats.inc_value(keys.FETCH_REFUSED_BROWSER)
