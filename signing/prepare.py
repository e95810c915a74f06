"""An issued PDF made ready for signatures: an empty interactive form (/AcroForm) appended as an
incremental update. Signing tools add their signature fields to it; and pyHanko's difference
analysis, which proves that a signed copy only added signatures to what was issued, needs the
issued revision to have a form to compare against."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

__all__ = ["prepare_for_signing"]


class _FormOnlyWriter(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document's metadata alone. pyHanko's writer stamps
    its producer and a modification date into the Info dictionary and the XMP stream, and not
    alike: a PDF/A whose Info and XMP disagree is no longer PDF/A. Adding an empty form changes
    nothing a reader sees, so the metadata stays LibreOffice's."""

    def _update_meta(self) -> None:
        return None


def prepare_for_signing(pdf: bytes) -> bytes:
    """``pdf`` with an empty /AcroForm, unless it already has a form (then unchanged)."""
    writer = _FormOnlyWriter(io.BytesIO(pdf), strict=False)
    if "/AcroForm" in writer.root:
        return pdf
    form = generic.DictionaryObject({generic.NameObject("/Fields"): generic.ArrayObject()})
    writer.root[generic.NameObject("/AcroForm")] = writer.add_object(form)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
