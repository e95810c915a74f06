"""The trust roots (DOCGEN_TRUST_ROOTS: PEM files such as the BSrE root) signer certificates are
checked against; read once per process, refused at start when unreadable."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

__all__ = ["TrustRootError", "load_trust_roots"]


class TrustRootError(RuntimeError):
    """A configured trust root file is missing or holds no certificate."""


@lru_cache(maxsize=8)
def _load(paths: tuple[Path, ...]) -> tuple[asn1_x509.Certificate, ...]:
    roots: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TrustRootError(f"DOCGEN_TRUST_ROOTS: cannot read {path}: {exc.strerror}") from None
        found = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        try:
            roots += [asn1_x509.Certificate.load(der) for der in found]
            for root in roots:
                root.native  # noqa: B018  (parses it now, not during the first upload)
        except ValueError as exc:
            raise TrustRootError(f"DOCGEN_TRUST_ROOTS: {path} holds no readable certificate ({exc})") from None
        if not found:
            raise TrustRootError(f"DOCGEN_TRUST_ROOTS: {path} holds no certificate")
    return tuple(roots)


def load_trust_roots(paths: Sequence[Path]) -> tuple[asn1_x509.Certificate, ...]:
    """The certificates in ``paths`` (PEM, several per file allowed, or DER). Raises TrustRootError."""
    return _load(tuple(Path(p) for p in paths))
