"""A PDF batch's chunk converted in few LibreOffice loads: render the items' DOCX, join them in
groups (workers/joined.py), convert each group once, split the PDF back per document.

The work is pipelined: while LibreOffice converts one group (in a thread that mostly waits on
the converter host), this process renders the next group's DOCX, so the worker's Python and its
LibreOffice use a core each instead of taking turns.

Whatever can't go this way is simply not returned, and the chunk produces it alone as before:
an item whose data is bad (it then fails alone with its field errors), a document that can't be
joined exactly, a group whose joined conversion failed, and PDF/A (the split parts would lose
the PDF/A identification of the whole).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from config.settings import Settings
from storage.batches import BatchRecord
from storage.templates import TemplateRegistry
from workers.convert import ConversionError, ConverterUnavailable, warm_converter
from workers.converter import WarmConverter
from workers.joined import NotJoinable, join_docx, joinable, split_pdf
from workers.produce import ProducedDocument, produce_files

__all__ = ["convert_joined"]

log = logging.getLogger(__name__)

Group = list[tuple[int, ProducedDocument]]


def _groups(entries: list[tuple[int, str, dict[str, Any]]], batch: BatchRecord, registry: TemplateRegistry,
            settings: Settings) -> Iterator[Group]:
    """The items' DOCX, rendered as they are asked for, in groups of ``pdf_join_group`` joinable ones."""
    group: Group = []
    for index, doc_id, item in entries:
        body = {"type": batch.type, "format": "docx", "data": item.get("data")}
        try:
            (docx,) = produce_files(body, registry, doc_id=doc_id, template_version=int(batch.template_version),
                                    settings=settings)
        except Exception:  # produced alone then, where its failure is reported as always
            continue
        if joinable(docx.content) is None:
            group.append((index, docx))
        if len(group) >= settings.pdf_join_group:
            yield group
            group = []
    if len(group) >= 2:
        yield group


def _convert_group(converter: WarmConverter, group: Group, batch_id: str) -> dict[int, ProducedDocument]:
    try:
        joined = join_docx([docx.content for _, docx in group])
        pdfs = split_pdf(converter.convert(joined, destinations=True), len(group), signable=True)
    except (NotJoinable, ValueError, ConversionError, ConverterUnavailable) as exc:
        log.warning("batch %s: %s documents converted alone (joined: %s)", batch_id, len(group), exc)
        return {}
    return {index: replace(docx, content=pdf, extension="pdf", filename=docx.filename.removesuffix(".docx") + ".pdf")
            for (index, docx), pdf in zip(group, pdfs, strict=True)}


def convert_joined(entries: list[tuple[int, str, dict[str, Any]]], batch: BatchRecord,
                   registry: TemplateRegistry, settings: Settings) -> dict[int, ProducedDocument]:
    """The finished PDF of each (index, doc_id, item) it could make joined, by index."""
    if batch.format != "pdf" or settings.pdf_join_group < 2 or settings.pdf_profile != "pdf":
        return {}
    converter = warm_converter(settings)
    done: dict[int, ProducedDocument] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-join") as pool:
        converting: Future[dict[int, ProducedDocument]] | None = None
        for group in _groups(entries, batch, registry, settings):
            # Queued behind the group being converted; the next group renders meanwhile.
            following = pool.submit(_convert_group, converter, group, batch.id)
            if converting is not None:
                done.update(converting.result())
            converting = following
        if converting is not None:
            done.update(converting.result())
    return done
