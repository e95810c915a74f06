"""One HTTP(S) POST to an address checked in advance: the connection goes to the IP address the
SSRF guard approved (storage.callback_urls.CallbackTarget), while the Host header and the TLS
server name (SNI, certificate check) stay the URL's host. So DNS can't answer differently
between check and connect, and redirects are never followed (http.client does not follow them)."""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from storage.callback_urls import CallbackTarget

__all__ = ["post_pinned"]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: CallbackTarget, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: CallbackTarget, address: str, timeout: float,
                 context: ssl.SSLContext | None = None) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context or ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post_pinned(target: CallbackTarget, body: bytes, headers: dict[str, str], timeout: float,
                tls: ssl.SSLContext | None = None) -> int:
    """POST ``body`` to the target's URL through the first checked address that accepts a
    connection; the response status. OSError when none could be reached. ``tls`` replaces the
    system's trust store (tests)."""
    parts = urlsplit(target.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    error: OSError | None = None
    for address in target.addresses:
        connection = (_PinnedHTTPS(target, address, timeout, tls) if target.scheme == "https"
                      else _PinnedHTTP(target, address, timeout))
        try:
            connection.request("POST", path, body=body, headers=headers)
            return connection.getresponse().status
        except OSError as exc:  # refused, unreachable, timed out, TLS failure: try the next address
            error = exc
        finally:
            connection.close()
    raise error or OSError("no address to connect to")
