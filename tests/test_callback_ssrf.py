"""The SSRF guard, form by form: every IANA special-purpose block and every IPv6 spelling of a
refused IPv4 address is refused; the allow-list opens one host:port only; the delivery connects to
the address that was checked (a changed DNS answer changes nothing), keeping Host and TLS name."""

from __future__ import annotations

import datetime as dt
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from config.settings import Settings
from storage.callback_urls import CallbackTarget, UnsafeCallback, resolve_callback
from workers.pinned_http import post_pinned

REFUSED = [
    ("http://100.64.0.1/", "shared (CGNAT)"), ("http://100.100.100.200/", "shared (CGNAT)"),
    ("http://[2002:7f00:1::]/", "loopback"), ("http://[2002:a00:1::]/", "private"),
    ("http://[64:ff9b::7f00:1]/", "loopback"), ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),
    ("http://[64:ff9b:1::1]/", "local NAT64"), ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"), ("http://198.18.0.1/", "benchmarking"),
    ("http://[2001:2::1]/", "benchmarking"), ("http://192.0.2.10/", "documentation"),
    ("http://198.51.100.7/", "documentation"), ("http://203.0.113.9/", "documentation"),
    ("http://[2001:db8::1]/", "documentation"), ("http://[3fff::1]/", "documentation"),
    ("http://192.0.0.9/", "IETF protocol"), ("http://192.88.99.1/", "6to4 relay"),
    ("http://192.31.196.1/", "AS112"), ("http://240.0.0.1/", "reserved"), ("http://255.255.255.255/", "broadcast"),
    ("http://224.0.0.251/", "multicast"), ("http://[ff02::1]/", "multicast"),
    ("http://[fd00:ec2::254]/", "unique-local"),
    ("http://[fec0::1]/", "site-local"), ("http://[fe80::1]/", "link-local"), ("http://[100::1]/", "discard-only"),
    ("http://[5f00::1]/", "SRv6"), ("http://[::]/", "unspecified"), ("http://0.0.0.0/", "this network"),
    ("http://169.254.169.254/", "link-local"), ("http://0x7f.1/", "loopback"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_every_special_purpose_form_is_refused(url, reason):
    with pytest.raises(UnsafeCallback, match=re.escape(reason)):
        resolve_callback(url, [])


@pytest.mark.parametrize("url", ["http://8.8.8.8/hook", "https://[2002:808:808::1]/hook",
                                 "http://[64:ff9b::808:808]/hook", "http://[2606:4700::1111]:8443/hook"])
def test_global_addresses_and_forms_carrying_one_pass(url):
    assert resolve_callback(url, []).addresses


def test_the_allow_list_opens_one_port_only():
    allowed = ["127.0.0.1:8080", "[::1]:9000"]
    assert resolve_callback("http://127.0.0.1:8080/hook", allowed).addresses == ("127.0.0.1",)
    assert resolve_callback("http://[::1]:9000/", allowed).port == 9000
    with pytest.raises(UnsafeCallback, match="loopback"):
        resolve_callback("http://127.0.0.1:6379/", allowed)  # the embedded Redis next door stays shut
    with pytest.raises(UnsafeCallback, match="loopback"):
        resolve_callback("http://127.0.0.1/", allowed)


def test_an_allow_entry_without_a_port_stops_the_start(monkeypatch):
    monkeypatch.setenv("DOCGEN_CALLBACK_ALLOW", "partner.internal")
    with pytest.raises(ValidationError, match="host:port"):
        Settings()


class _Receiver:
    """A real HTTP(S) server on 127.0.0.1 recording the Host header (and the TLS server name)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.hosts: list[str] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: receiver.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def hosts_file():
    """Edits /etc/hosts (the system resolver's first source) and restores it."""
    path = Path("/etc/hosts")
    original = path.read_text()

    def point(name: str, address: str) -> None:
        path.write_text(original + f"\n{address} {name}\n")

    yield point
    path.write_text(original)


def test_the_delivery_connects_to_the_checked_address_even_when_dns_changes(hosts_file):
    receiver = _Receiver()
    try:
        hosts_file("partner.docgen.test", "127.0.0.1")
        target = resolve_callback(f"http://partner.docgen.test:{receiver.port}/hook?x=1",
                                  [f"partner.docgen.test:{receiver.port}"])
        hosts_file("partner.docgen.test", "10.255.255.1")  # a rebinding answer after the check
        assert post_pinned(target, b"{}", {"Content-Type": "application/json"}, timeout=5) == 204
    finally:
        receiver.close()
    assert receiver.hosts == [f"partner.docgen.test:{receiver.port}"]


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_https_to_a_pinned_address_keeps_the_server_name_and_checks_the_certificate(tmp_path):
    cert, key = _certificate(tmp_path, "hooks.partner.test")
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    trust = ssl.create_default_context(cafile=str(cert))
    receiver = _Receiver(server_side)
    try:
        # the name does not resolve at all: only the checked address is used to connect
        target = CallbackTarget(url=f"https://hooks.partner.test:{receiver.port}/hook", scheme="https",
                                host="hooks.partner.test", port=receiver.port, addresses=("127.0.0.1",))
        assert post_pinned(target, b"{}", {}, timeout=5, tls=trust) == 204
        wrong = CallbackTarget(url=f"https://other.partner.test:{receiver.port}/hook", scheme="https",
                               host="other.partner.test", port=receiver.port, addresses=("127.0.0.1",))
        with pytest.raises(ssl.SSLCertVerificationError):
            post_pinned(wrong, b"{}", {}, timeout=5, tls=trust)
    finally:
        receiver.close()
    assert receiver.server_names[0] == "hooks.partner.test"
    assert receiver.hosts == [f"hooks.partner.test:{receiver.port}"]
