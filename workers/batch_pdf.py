"""A PDF batch's chunk converted in few LibreOffice loads: render the items' DOCX, join them in
groups (workers/joined.py), convert each group once, split the PDF back per document.

The work is pipelined: while LibreOffice converts a group (in a thread that mostly waits on the
converter host), this process renders the next group's DOCX; and a worker keeps
``pdf_batch_converters`` LibreOffices (by default the cores it may use), converting groups side by
side, so one bulk worker alone keeps the machine's cores busy.

Whatever can't go this way is simply not returned, and the chunk produces it alone as before:
an item whose data is bad (it then fails alone with its field errors), a document that can't be
joined exactly, a group whose joined conversion failed, and PDF/A (the split parts would lose
the PDF/A identification of the whole).
"""

from __future__ import annotations

import logging
import os
import queue
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from config.settings import Settings
from storage.batches import BatchRecord
from storage.templates import TemplateRegistry
from workers.convert import ConversionError, ConverterUnavailable, warm_converter
from workers.converter import WarmConverter
from workers.joined import DocxParts, NotJoinable, join_docx, joinable, split_pdf
from workers.produce import ProducedDocument, produce_files

__all__ = ["convert_joined"]

log = logging.getLogger(__name__)

Group = list[tuple[int, ProducedDocument, DocxParts]]
"""(index, its rendered DOCX, the DOCX's parts as ``joinable`` read them: the join reads them again)."""


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
        parts = DocxParts(docx.content)
        if joinable(parts) is None:
            group.append((index, docx, parts))
        if len(group) >= settings.pdf_join_group:
            yield group
            group = []
    if len(group) >= 2:
        yield group


def converter_count(settings: Settings) -> int:
    """How many converters a bulk worker keeps for PDF batches."""
    if settings.pdf_batch_converters:
        return settings.pdf_batch_converters
    return max(1, (os.cpu_count() or 1) // max(1, settings.bulk_workers))


def _convert_group(free: queue.Queue[WarmConverter], group: Group, batch_id: str) -> dict[int, ProducedDocument]:
    converter = free.get()  # a converter no other group uses now
    try:
        joined = join_docx([parts for _, _, parts in group])
        pdfs = split_pdf(converter.convert(joined, destinations=True), len(group), signable=True)
    except (NotJoinable, ValueError, ConversionError, ConverterUnavailable) as exc:
        log.warning("batch %s: %s documents converted alone (joined: %s)", batch_id, len(group), exc)
        return {}
    finally:
        free.put(converter)
    return {index: replace(docx, content=pdf, extension="pdf", filename=docx.filename.removesuffix(".docx") + ".pdf")
            for (index, docx, _), pdf in zip(group, pdfs, strict=True)}


def convert_joined(entries: list[tuple[int, str, dict[str, Any]]], batch: BatchRecord,
                   registry: TemplateRegistry, settings: Settings) -> dict[int, ProducedDocument]:
    """The finished PDF of each (index, doc_id, item) it could make joined, by index."""
    if batch.format != "pdf" or settings.pdf_join_group < 2 or settings.pdf_profile != "pdf":
        return {}
    count = converter_count(settings)
    free: queue.Queue[WarmConverter] = queue.Queue()
    for slot in range(count):
        free.put(warm_converter(settings, slot=slot))
    done: dict[int, ProducedDocument] = {}
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="pdf-join") as pool:
        # Each group is handed on as soon as it is rendered; the next renders while it converts.
        converting: list[Future[dict[int, ProducedDocument]]] = [
            pool.submit(_convert_group, free, group, batch.id) for group in _groups(entries, batch, registry, settings)]
        for future in converting:
            done.update(future.result())
    return done
