"""Is an uploaded PDF a signed copy of the document we issued? Checked with pyHanko.

The rules, in the order they are checked (each refusal names its reason, Indonesian first):
- it reads as a PDF and carries at least one PDF signature (CMS/PAdES, as BSrE's TTE makes);
- every signature is intact: the signed byte range hashes to the signed digest, and the
  signature over that digest verifies against the signer's certificate (else 422);
- the issued PDF's bytes are its prefix: a signature appends an incremental update, so a file
  that does not start with them is another document, or ours re-saved (else 422);
- it extends the previous signed copy, if there is one (else 409: sign the latest copy);
- it adds at least one signature to that copy (else 422), and nothing after issuance changes
  the document beyond filling signature fields (pyHanko's difference analysis; else 422).
Each signature's facts are recorded: signer (name, organisation), issuer, signing time,
integrity, and trust: whether the signer's chain reaches a configured trust root, or
"not_checked" when no roots are configured. Nothing unchecked is ever called valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    FormUpdatingRule,
    ModificationLevel,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.constants import ACROFORM_EXEMPT_STRICT_COMPARISON
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

__all__ = ["TRUST_NOTES", "SignatureFacts", "SignedCopy", "SignedCopyRejected", "check_signed_copy"]

log = logging.getLogger(__name__)
# pyHanko logs a traceback for every chain it cannot build; without trust roots that is every
# signature, and the outcome is recorded as the signature's trust anyway.
logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(
    lambda record: not record.getMessage().startswith("Failed to build path"))

DIFF_POLICY = StandardDiffPolicy(
    global_rules=DEFAULT_DIFF_POLICY.global_rules,
    form_rule=FormUpdatingRule(
        field_rules=DEFAULT_DIFF_POLICY.form_rule.field_rules,
        # The issued form is empty; the first signer's tool marks it "signatures exist" (/SigFlags).
        ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"},
    ),
)
"""pyHanko's default difference analysis, reviewing everything since the issued revision."""

TRUST_NOTES = {
    "trusted": ("sertifikat penanda tangan berantai ke akar kepercayaan yang dikonfigurasi",
                "the signer's certificate chains to a configured trust root"),
    "untrusted": ("sertifikat penanda tangan TIDAK berantai ke akar kepercayaan yang dikonfigurasi",
                  "the signer's certificate does NOT chain to a configured trust root"),
    "not_checked": ("integritas utuh, penanda tangan tidak diperiksa terhadap akar kepercayaan",
                    "integrity valid, signer not checked against a trust root"),
}
"""What each trust outcome means, (Indonesian, English)."""


class SignedCopyRejected(Exception):
    """The upload is not an acceptable signed copy: HTTP status, Indonesian and English reason."""

    def __init__(self, status: int, message: str, message_en: str) -> None:
        super().__init__(message)
        self.status, self.message, self.message_en = status, message, message_en


@dataclass(frozen=True)
class SignatureFacts:
    """One signature as the record and the verify page show it."""

    field: str
    signer_name: str | None
    signer_organisation: str | None
    issuer: str
    signing_time: str | None
    """ISO 8601 UTC, as the signer's CMS attributes (or its timestamp) say."""
    integrity: bool
    trust: str
    """trusted | untrusted | not_checked (no trust roots configured)."""
    trust_note: str
    certificate_sha256: str
    copy: int = 0
    """Which upload (1, 2, ...) brought the signature."""

    @property
    def valid(self) -> bool:
        """Counts toward "signed": intact, and trusted when roots are configured."""
        return self.integrity and self.trust != "untrusted"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SignatureFacts:
        return cls(**{k: raw.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class SignedCopy:
    """An accepted upload: every signature in it (old and new) and how many it added."""

    signatures: list[SignatureFacts]
    new_signatures: int
    unchanged: bool = False
    """The upload is the previous signed copy again (a retried upload): nothing to store."""


def _name_part(name: asn1_x509.Name, key: str) -> str | None:
    value = name.native.get(key)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value) if value else None


def _readable(name: asn1_x509.Name) -> str:
    parts = [_name_part(name, "common_name"), _name_part(name, "organization_name"),
             _name_part(name, "country_name")]
    return ", ".join(p for p in parts if p) or name.human_friendly


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _reader(content: bytes) -> PdfFileReader:
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        reader.embedded_signatures  # noqa: B018  (reads the form's fields now, inside this try)
        return reader
    except Exception as exc:
        log.info("signed upload unreadable: %s", exc)
        raise SignedCopyRejected(
            422, "Berkas tidak dapat dibaca sebagai PDF (strukturnya rusak atau diubah byte demi byte).",
            "The file cannot be read as a PDF (its structure is damaged or was altered).") from None


def _signature_end(signature: Any) -> int:
    """Where the signed revision ends: the last byte its byte range covers."""
    byte_range = list(signature.byte_range)
    return int(byte_range[2]) + int(byte_range[3])


def check_signed_copy(content: bytes, issued: bytes, previous: bytes | None,
                      trust_roots: Sequence[asn1_x509.Certificate] = ()) -> SignedCopy:
    """Check ``content`` against the ``issued`` PDF and the ``previous`` signed copy (None before
    the first). Raises SignedCopyRejected; returns every signature's facts."""
    if previous is not None and content == previous:
        return SignedCopy(signatures=[], new_signatures=0, unchanged=True)
    reader = _reader(content)
    embedded = list(reader.embedded_signatures)
    if not embedded:
        raise SignedCopyRejected(
            422, "Berkas tidak memuat tanda tangan elektronik (TTE): unggah PDF yang sudah ditandatangani.",
            "The file carries no electronic signature: upload the signed PDF.")
    context_roots = list(trust_roots)
    facts = []
    for signature in embedded:
        facts.append(_validate(signature, context_roots))
        if not facts[-1].integrity:
            raise SignedCopyRejected(
                422, f"Tanda tangan '{signature.field_name}' tidak utuh: berkas diubah setelah ditandatangani, "
                     "atau tanda tangannya tidak cocok dengan sertifikatnya.",
                f"Signature '{signature.field_name}' is not intact: the file was changed after signing, or the "
                "signature does not match its certificate.")
    if not content.startswith(issued):
        raise SignedCopyRejected(
            422, "Berkas ini bukan salinan bertanda tangan dari dokumen ini: PDF yang diterbitkan tidak menjadi "
                 "bagian awalnya (dokumen lain, atau PDF disimpan ulang sehingga isinya ditulis ulang). "
                 "Tanda tangani PDF yang diunduh dari layanan ini tanpa menyimpannya ulang.",
            "This file is not a signed copy of this document: the issued PDF is not its prefix (another "
            "document, or the PDF was re-saved and rewritten). Sign the PDF downloaded from this service "
            "without re-saving it.")
    if previous is not None and not content.startswith(previous):
        raise SignedCopyRejected(
            409, "Berkas ini tidak melanjutkan salinan bertanda tangan terakhir: unduh salinan terakhir "
                 "(?version=signed) dan tanda tangani salinan itu.",
            "This file does not extend the latest signed copy: download it (?version=signed) and sign that.")
    known_end = len(previous if previous is not None else issued)
    new = [f for f, s in zip(facts, embedded, strict=True) if _signature_end(s) > known_end]
    if not new:
        raise SignedCopyRejected(
            422, "Berkas tidak menambahkan tanda tangan baru pada salinan sebelumnya.",
            "The file adds no new signature to the previous copy.")
    _check_changes(reader, issued)
    return SignedCopy(signatures=facts, new_signatures=len(new))


def _validate(signature: Any, roots: list[asn1_x509.Certificate]) -> SignatureFacts:
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        # The difference analysis runs once, over everything since issuance (_check_changes).
        status = validate_pdf_signature(signature, context, skip_diff=True)
        integrity = bool(status.intact and status.valid)
    except Exception as exc:  # a malformed CMS blob is a broken signature, not a server error
        log.info("signature %s could not be validated: %s", signature.field_name, exc)
        status, integrity = None, False
    cert = status.signing_cert if status is not None else signature.signer_cert
    if not roots:
        trust = "not_checked"
    else:
        trust = "trusted" if status is not None and status.trusted else "untrusted"
    moment = None
    if status is not None:
        timestamp = getattr(status, "timestamp_validity", None)
        moment = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    return SignatureFacts(
        field=str(signature.field_name), signer_name=_name_part(cert.subject, "common_name"),
        signer_organisation=_name_part(cert.subject, "organization_name"), issuer=_readable(cert.issuer),
        signing_time=_iso(moment), integrity=integrity, trust=trust,
        trust_note=TRUST_NOTES[trust][0] if integrity else "tanda tangan tidak utuh",
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest())


def _check_changes(reader: PdfFileReader, issued: bytes) -> None:
    """Between the issued revision and the upload, only signature fields may have been filled:
    text, pages or annotations changed before or after a signature make it another document."""
    base = PdfFileReader(io.BytesIO(issued), strict=False).xrefs.total_revisions - 1
    try:
        result = DIFF_POLICY.review_file(reader, base)
    except Exception as exc:
        log.info("difference analysis failed: %s", exc)
        result = SuspiciousModification(str(exc))
    if isinstance(result, SuspiciousModification) or result.modification_level > ModificationLevel.FORM_FILLING:
        why = str(result) if isinstance(result, SuspiciousModification) else result.modification_level.name
        log.warning("signed upload changes the document: %s", why)
        raise SignedCopyRejected(
            422, "Isi dokumen diubah setelah diterbitkan (bukan hanya tanda tangan yang ditambahkan).",
            "The document's content was changed after it was issued (more than signatures were added).")
