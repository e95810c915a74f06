"""The SSRF guard for callback URLs: checked when a request is accepted and again when sending.

Schemes and hosts are compared after normalising (lower case, IDNA, trailing dot), and the
decision is made on the addresses the host resolves to, not on its spelling: "HTTP://",
"0x7f.1", "[::1]" or a name pointing at 10.0.0.5 all end up as the address they mean.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["UnsafeCallback", "check_callback_url"]

ALLOWED_SCHEMES = frozenset({"http", "https"})
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
                                ipaddress.ip_address("100.100.100.200")})
"""Cloud metadata endpoints (AWS/GCP/Azure, AWS IPv6, Alibaba) refused even where routable."""


class UnsafeCallback(ValueError):
    """The callback URL may not be called: a readable reason."""


def _normal_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeCallback("the host name is not valid") from None


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for label, flag in (("a loopback", address.is_loopback), ("a private", address.is_private),
                        ("a link-local", address.is_link_local), ("a multicast", address.is_multicast),
                        ("a reserved", address.is_reserved), ("an unspecified", address.is_unspecified)):
        if flag:
            return f"{label} address"
    return None


def check_callback_url(url: str, allowed_hosts: list[str]) -> str:
    """The URL if it may be called; UnsafeCallback saying why not otherwise. Hosts in
    ``allowed_hosts`` (for example an integration partner on the internal network) skip the
    address check."""
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
    if host in {_normal_host(h) for h in allowed_hosts if h.strip()}:
        return url
    try:
        port = parts.port or (443 if scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, ValueError, UnicodeError):
        raise UnsafeCallback(f"host '{host}' does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        reason = _refused(address)
        if reason:
            raise UnsafeCallback(f"host '{host}' resolves to {reason} ({address}); list it in "
                                 "DOCGEN_CALLBACK_ALLOW to permit it")
    return url
