"""The SSRF guard for callback URLs: checked when a request is accepted and again when sending.

Schemes and hosts are compared after normalising (lower case, IDNA, trailing dot), and the
decision is made on the addresses the host resolves to, not on its spelling: "HTTP://",
"0x7f.1", "[::1]" or a name pointing at 10.0.0.5 all end up as the address they mean. Every
address that is not plainly global is refused: Python's ``is_global`` plus the IANA
special-purpose registries written out below (so a Python release that reclassifies a block
changes nothing), and addresses that carry an IPv4 address inside (IPv4-mapped, 6to4, NAT64)
are judged by that IPv4 address. The caller connects to the address that was checked
(``CallbackTarget.addresses``), so DNS can't answer differently between check and connect.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["CallbackTarget", "UnsafeCallback", "check_callback_url", "parse_allow_entry", "resolve_callback"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})

SPECIAL_PURPOSE = tuple((ipaddress.ip_network(block), label) for block, label in (
    # IANA IPv4 Special-Purpose Address Registry, plus multicast and broadcast
    ("0.0.0.0/8", "a 'this network'"), ("10.0.0.0/8", "a private"), ("100.64.0.0/10", "a shared (CGNAT)"),
    ("127.0.0.0/8", "a loopback"), ("169.254.0.0/16", "a link-local"), ("172.16.0.0/12", "a private"),
    ("192.0.0.0/24", "an IETF protocol"), ("192.0.2.0/24", "a documentation"), ("192.31.196.0/24", "an AS112"),
    ("192.52.193.0/24", "an AMT"), ("192.88.99.0/24", "a 6to4 relay"), ("192.168.0.0/16", "a private"),
    ("192.175.48.0/24", "an AS112"), ("198.18.0.0/15", "a benchmarking"), ("198.51.100.0/24", "a documentation"),
    ("203.0.113.0/24", "a documentation"), ("224.0.0.0/4", "a multicast"), ("255.255.255.255/32", "a broadcast"),
    ("240.0.0.0/4", "a reserved"),
    # IANA IPv6 Special-Purpose Address Registry, plus multicast and the deprecated site-local block
    ("::/128", "an unspecified"), ("::1/128", "a loopback"), ("64:ff9b:1::/48", "a local NAT64"),
    ("100::/64", "a discard-only"), ("100:0:0:1::/64", "a dummy"), ("2001::/23", "an IETF protocol (Teredo, "
     "benchmarking, ORCHID)"), ("2001:db8::/32", "a documentation"), ("2620:4f:8000::/48", "an AS112"),
    ("3fff::/20", "a documentation"), ("5f00::/16", "an SRv6 SID"), ("fc00::/7", "a unique-local"),
    ("fe80::/10", "a link-local"), ("fec0::/10", "a site-local"), ("ff00::/8", "a multicast"),
))
"""Blocks a callback may never reach (a label for the message)."""

NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


class UnsafeCallback(ValueError):
    """The callback URL may not be called: a readable reason."""


@dataclass(frozen=True)
class CallbackTarget:
    """A checked callback: connect to one of ``addresses`` (in order), sending ``host`` as the
    Host header and TLS server name."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def _normal_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeCallback("the host name is not valid") from None


def parse_allow_entry(entry: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` for IPv6) of DOCGEN_CALLBACK_ALLOW; ValueError without a port."""
    try:
        parts = urlsplit("//" + entry.strip())
        port = parts.port
    except ValueError:
        port = None
        parts = None
    if parts is None or not parts.hostname or port is None:
        raise ValueError(f"DOCGEN_CALLBACK_ALLOW entry '{entry}' is not host:port (a port is required, so an "
                         "allowed host does not open every service it runs)")
    return _normal_host(parts.hostname), port


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def refused_reason(address: Address) -> str | None:
    """Why ``address`` may not be called back, or None when it is a plain global address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            reason = refused_reason(inner)
            return f"{reason} (inside {address})" if reason else None
    for network, label in SPECIAL_PURPOSE:
        if address.version == network.version and address in network:
            return f"{label} address"
    if not address.is_global:
        return "a non-global address"
    return None


def resolve_callback(url: str, allowed: list[str]) -> CallbackTarget:
    """The checked target of ``url``; UnsafeCallback saying why not. ``allowed`` entries
    (``host:port``, e.g. an integration partner on the internal network) skip the address check
    for exactly that host and port."""
    if len(url) > 2000:
        raise UnsafeCallback("must be at most 2000 characters")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeCallback("must be an http or https URL")
    if parts.username or parts.password:
        raise UnsafeCallback("must not carry a user name or password")
    if not parts.hostname:
        raise UnsafeCallback("has no host")
    host = _normal_host(parts.hostname)
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeCallback("has an invalid port") from None
    exempt = (host, port) in {parse_allow_entry(entry) for entry in allowed if entry.strip()}
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, ValueError, UnicodeError):
        raise UnsafeCallback(f"host '{host}' does not resolve") from None
    addresses: list[str] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        reason = None if exempt else refused_reason(address)
        if reason:
            raise UnsafeCallback(f"host '{host}' resolves to {reason} ({address}); list it as host:port in "
                                 "DOCGEN_CALLBACK_ALLOW to permit it")
        if str(address) not in addresses:
            addresses.append(str(address))
    return CallbackTarget(url=url, scheme=scheme, host=host, port=port, addresses=tuple(addresses))


def check_callback_url(url: str, allowed_hosts: list[str]) -> str:
    """The URL if it may be called; UnsafeCallback saying why not otherwise."""
    resolve_callback(url, allowed_hosts)
    return url
