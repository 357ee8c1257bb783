"""Which URLs the fetcher may open and which addresses it may connect to: one policy for every
URL, whoever named it (the user, a feed, a sitemap, robots.txt, a redirect, a canonical).

The rules:

* only ``http`` and ``https`` are ever fetched; local files are read by :mod:`newsetl.sources`
  only when the user named them (never because a feed, a sitemap or a page said so);
* an address that is not public (loopback, private, link-local such as the cloud metadata
  service 169.254.169.254, carrier-grade NAT, multicast, reserved, unspecified, and the same
  hidden in IPv4-mapped, 6to4, Teredo or NAT64 IPv6 addresses) is refused, however the URL
  spells it (``2130706433``, ``0x7f.1``, ``0177.0.0.1`` are all 127.0.0.1) and whatever a
  host name resolves to. The check runs on the addresses the connection really uses
  (:mod:`newsetl.transport` resolves once and connects to the checked address, so a DNS
  answer cannot change between check and connect);
* exceptions: the origins the user named themselves (their intent: an intranet server, a
  test server on 127.0.0.1), ``allow_private_networks`` (everything, for an intranet
  deployment), and ``private_network_allow_list`` (CIDRs, host names, ``.suffix`` domains or
  origins such as ``http://10.0.0.5:8080``). A URL *discovered* on a trusted origin that
  points to another private origin is still refused.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from dataclasses import dataclass, field

from newsetl.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NUMERIC_HOST = frozenset("0123456789abcdefx.")


class UrlRefused(Exception):
    """The URL or the address it resolves to is not allowed; ``kind`` goes to ``error_kind``."""

    kind = "url_policy"


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64, compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (checked again inside IPv6 wrappers)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the IPv4 address itself is what is reached
            return is_public_address(ip.ipv4_mapped)
        inner = embedded_ipv4(ip)
        if inner is not None and not is_public_address(inner):
            return False
        if ip.is_site_local:
            return False
    return bool(
        ip.is_global
        and not (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
        )
    )


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number stands for, in any spelling the C resolver
    accepts (dotted quad, one decimal number, octal or hex parts, IPv6), else None."""
    host = host.strip("[]")
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host)
    if host and set(host.lower()) <= _NUMERIC_HOST:
        with contextlib.suppress(OSError, ValueError):
            return ipaddress.IPv4Address(socket.inet_aton(host))
    return None


def origin_key(url: str) -> tuple[str, int]:
    """(host, port) as the connection layer will see them (IDNA-encoded, lower case)."""
    import httpx  # not at import: see newsetl.downloads

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UrlRefused(f"unparseable URL {url!r}: {exc}") from None
    host = parsed.raw_host.decode("ascii", "replace").rstrip(".").lower()
    port = parsed.port or {"http": 80, "https": 443}.get(parsed.scheme, 0)
    return host, port


@dataclass
class UrlPolicy:
    allow_private_networks: bool = False
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    domain_suffixes: tuple[str, ...] = ()
    origins: set[tuple[str, int]] = field(default_factory=set)
    _trusted: set[tuple[str, int]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> UrlPolicy:
        policy = cls(allow_private_networks=settings.allow_private_networks)
        suffixes: list[str] = []
        for entry in settings.private_network_allow_list:
            entry = entry.strip()
            if not entry:
                continue
            if "://" in entry:
                policy.origins.add(origin_key(entry))
                continue
            try:
                policy.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                name = entry.rstrip(".").lower()
                if name.startswith(("*.", ".")):
                    suffixes.append("." + name.lstrip("*."))
                else:
                    policy.hosts.add(name)
        policy.domain_suffixes = tuple(suffixes)
        return policy

    # -- the user's own origins ---------------------------------------------------------------
    def trust(self, url: str) -> None:
        """The user named ``url``: its origin may be private (their intent)."""
        with contextlib.suppress(UrlRefused), self._lock:
            self._trusted.add(origin_key(url))

    def is_trusted(self, host: str, port: int) -> bool:
        key = (host.rstrip(".").lower(), port)
        return key in self._trusted or key in self.origins

    # -- checks ------------------------------------------------------------------------------
    def check_url(self, url: str) -> None:
        """Refuse a URL before any connection: scheme, host, and a host written as an address."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in {"http", "https"}:
            raise UrlRefused(f"only http(s) URLs are fetched, not {url[:200]!r}")
        host, port = origin_key(url)
        if not host:
            raise UrlRefused(f"URL without a host: {url[:200]!r}")
        address = literal_address(host)
        if address is not None:
            self.check_address(host, port, address)

    def check_address(self, host: str, port: int, address: IPAddress) -> None:
        """Refuse connecting to ``address`` (what ``host`` resolved to) unless it is public or
        allowed."""
        if self.allows(host, port, address):
            return
        shown = host if host == str(address) else f"{host} ({address})"
        raise UrlRefused(
            f"{shown}:{port} is not a public address; allow it with "
            "NEWSETL_PRIVATE_NETWORK_ALLOW_LIST or NEWSETL_ALLOW_PRIVATE_NETWORKS"
        )

    def allows(self, host: str, port: int, address: IPAddress) -> bool:
        if self.allow_private_networks or is_public_address(address):
            return True
        host = host.rstrip(".").lower()
        if self.is_trusted(host, port) or host in self.hosts:
            return True
        if self.domain_suffixes and host.endswith(self.domain_suffixes):
            return True
        return any(address in net for net in self.networks if net.version == address.version)
