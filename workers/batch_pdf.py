"""A PDF batch's chunk converted in few LibreOffice loads: render the items' DOCX, join them in
groups (workers/joined.py), convert each group once, split the PDF back per document.

Whatever can't go this way is simply not returned, and the chunk produces it alone as before:
an item whose data is bad (it then fails alone with its field errors), a document that can't be
joined exactly, a group whose joined conversion failed, and PDF/A (the split parts would lose
the PDF/A identification of the whole).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from config.settings import Settings
from signing.prepare import prepare_for_signing
from storage.batches import BatchRecord
from storage.templates import TemplateRegistry
from workers.convert import ConversionError, ConverterUnavailable, warm_converter
from workers.joined import NotJoinable, join_docx, joinable, split_pdf
from workers.produce import ProducedDocument, produce_files

__all__ = ["convert_joined"]

log = logging.getLogger(__name__)


def convert_joined(entries: list[tuple[int, str, dict[str, Any]]], batch: BatchRecord,
                   registry: TemplateRegistry, settings: Settings) -> dict[int, ProducedDocument]:
    """The finished PDF of each (index, doc_id, item) it could make joined, by index."""
    if batch.format != "pdf" or settings.pdf_join_group < 2 or settings.pdf_profile != "pdf":
        return {}
    rendered: list[tuple[int, ProducedDocument]] = []
    for index, doc_id, item in entries:
        body = {"type": batch.type, "format": "docx", "data": item.get("data")}
        try:
            (docx,) = produce_files(body, registry, doc_id=doc_id, template_version=int(batch.template_version),
                                    settings=settings)
        except Exception:  # produced alone then, where its failure is reported as always
            continue
        if joinable(docx.content) is None:
            rendered.append((index, docx))
    converter = warm_converter(settings)
    done: dict[int, ProducedDocument] = {}
    for first in range(0, len(rendered), settings.pdf_join_group):
        group = rendered[first:first + settings.pdf_join_group]
        if len(group) < 2:
            continue
        try:
            joined = join_docx([docx.content for _, docx in group])
            pdfs = split_pdf(converter.convert(joined, destinations=True), len(group), prepare_for_signing)
        except (NotJoinable, ValueError, ConversionError, ConverterUnavailable) as exc:
            log.warning("batch %s: %s documents converted alone (joined: %s)", batch.id, len(group), exc)
            continue
        for (index, docx), pdf in zip(group, pdfs, strict=True):
            done[index] = replace(docx, content=pdf, extension="pdf",
                                  filename=docx.filename.removesuffix(".docx") + ".pdf")
    return done
