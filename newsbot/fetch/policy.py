"""Which addresses newsbot may connect to: public ones only, over http(s).

Private, loopback, link-local (cloud metadata at 169.254.169.254 included), shared, multicast,
reserved and unspecified addresses are refused, IPv4-mapped IPv6 included. Tests and operators
that really mean an internal host name it in NEWSBOT_ALLOW_PRIVATE_HOSTS: "host", "host:port",
"10.0.0.0/8" or "10.1.2.3".
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import scrapy.exceptions
from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

from newsbot.config import config_for

# Scrapy >= 2.14 wraps Twisted's errors in its own; older releases pass Twisted's through.
DNS_ERRORS = (DNSLookupError, getattr(scrapy.exceptions, "CannotResolveHostError", DNSLookupError))
TIMEOUT_ERRORS = (TimeoutError, TCPTimedOutError, getattr(scrapy.exceptions, "DownloadTimeoutError", TimeoutError))

ALLOWED_SCHEMES = frozenset({"http", "https"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class PolicyRefusal(IgnoreRequest):
    """A request the fetch policy refuses; `reason` is the stat key suffix."""

    reason = "refused"


class ForbiddenScheme(PolicyRefusal):
    reason = "scheme"


class ForbiddenAddress(PolicyRefusal):
    reason = "private_address"


class OffsiteRequest(PolicyRefusal):
    reason = "offsite"


def parse_ip(host: str | None) -> IPAddress | None:
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public(ip: IPAddress) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    # is_global is False for private, loopback, link-local, shared (100.64/10), reserved and unspecified.
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class PrivateAllowList:
    """NEWSBOT_ALLOW_PRIVATE_HOSTS parsed: host names, host:port pairs and networks."""

    hosts: frozenset[str] = frozenset()
    host_ports: frozenset[tuple[str, int]] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> PrivateAllowList:
        hosts, host_ports, networks = set(), set(), []
        for raw in config_for(settings).crawl.allow_private_hosts:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            host, sep, port = entry.rpartition(":")
            if sep and port.isdigit() and not host.endswith(":"):
                host_ports.add((host.strip("[]"), int(port)))
            else:
                hosts.add(entry.strip("[]"))
        return cls(frozenset(hosts), frozenset(host_ports), tuple(networks))

    def allows_address(self, ip: IPAddress) -> bool:
        return any(ip in net for net in self.networks)

    def allows(self, host: str, port: int | None = None) -> bool:
        host = host.lower().strip("[]")
        if host in self.hosts or (port is not None and (host, port) in self.host_ports):
            return True
        ip = parse_ip(host)
        return ip is not None and self.allows_address(ip)


def allow_hint(host: str, port: int | None = None) -> str:
    """How the operator who means this internal host lets newsbot fetch it."""
    host = host.strip("[]")
    entry = f"[{host}]:{port}" if port and ":" in host else f"{host}:{port}" if port else host
    return f"to fetch it anyway, name it in NEWSBOT_ALLOW_PRIVATE_HOSTS (-s NEWSBOT_ALLOW_PRIVATE_HOSTS={entry})"


def literal_address_refusal(host: str | None, port: int | None, allow: PrivateAllowList) -> str | None:
    """Why a request to this literal IP host must not be sent, or None (names are checked when resolved)."""
    ip = parse_ip(host)
    if ip is None or is_public(ip) or allow.allows(host, port):
        return None
    return f"{ip} is not a public address; {allow_hint(str(ip), port)}"


def resolved_address_refusal(name: str, address: str, allow: PrivateAllowList) -> str | None:
    """Why host `name` must not be reached at `address`, the answer its DNS lookup gave, or None."""
    ip = parse_ip(address)
    if ip is None or is_public(ip) or allow.allows(name) or allow.allows_address(ip):
        return None
    return f"{name} resolves to {address}, which is not a public address; {allow_hint(name)}"
