"""A test certificate authority made in the test (cryptography) and real PDF signatures made
with pyHanko, as a TTE client appends them: an incremental update with a CMS signature."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec
from pyhanko_certvalidator.registry import SimpleCertificateStore

__all__ = ["Signer", "TestCA"]


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


@dataclass(frozen=True)
class Signer:
    """A person's key and certificate, issued by a TestCA."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca: TestCA

    def sign(self, pdf: bytes, field: str) -> bytes:
        """``pdf`` with this person's signature appended in a new signature field ``field``."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        key = self.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(der), signing_key=asn1_keys.PrivateKeyInfo.load(key),
            cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(self.ca.der)]))
        out = io.BytesIO()
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
                         signers.PdfSignatureMetadata(field_name=field), signer=signer, output=out,
                         new_field_spec=SigFieldSpec(field))
        return out.getvalue()


class TestCA:
    """A root CA that issues signing certificates to people."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "Test Root CA BSrE", organisation: str = "Balai Sertifikasi Elektronik Uji") -> None:
        now = dt.datetime.now(dt.UTC)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = _name(name, organisation)
        self.certificate = (
            x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .sign(self.key, hashes.SHA256()))

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def write_pem(self, path: Path) -> Path:
        path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        return path

    def issue(self, common_name: str, organisation: str) -> Signer:
        now = dt.datetime.now(dt.UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            x509.CertificateBuilder().subject_name(_name(common_name, organisation)).issuer_name(self.name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(_usage(ca=False), critical=True)
            .sign(self.key, hashes.SHA256()))
        return Signer(key=key, certificate=certificate, ca=self)
