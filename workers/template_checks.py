"""Checks a Word template must pass before it may be used: a safe, valid .docx whose tags
parse in the sandbox, use only variables the document type provides, and render its sample.

Used by `docgen templates validate FILE.docx --type pk` and, on a worker, by every upload to the
template store (workers.template_jobs). Each check gives a readable result, failed or passed.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from rq.timeouts import JobTimeoutException

from config.settings import Settings
from sakip.envelope import doctype_named
from sakip.errors import InvalidPayload
from sakip.messages import DEFAULT_LANGUAGE, message
from sakip.validation import validate_model
from storage.templates import TemplateRegistry
from workers.produce import anchor_context, identity_context
from workers.render import TemplateRenderError

__all__ = ["CheckResult", "check_template", "sample_context"]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest template upload."""
MAX_ENTRIES = 1000
"""Most parts a template archive may hold."""
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""Most bytes a template may unpack to (zip bombs)."""

_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


@dataclass(frozen=True)
class CheckResult:
    """One check: its name, whether it passed, and what it found (``code`` keys the message table,
    ``params`` fill it, so each reader gets it in their language)."""

    name: str
    ok: bool
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message_in(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return message(self.code, self.params, lang)

    @property
    def message(self) -> str:
        return self.message_in()


def _archive_checks(content: bytes) -> tuple[list[CheckResult], zipfile.ZipFile | None]:
    if len(content) > MAX_FILE_BYTES:
        return [CheckResult("size", False, "cek_berkas_besar", {"maks": MAX_FILE_BYTES // 2**20})], None
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return [CheckResult("docx", False, "cek_bukan_zip")], None
    entries = archive.infolist()
    unpacked = sum(e.file_size for e in entries)
    if len(entries) > MAX_ENTRIES or unpacked > MAX_UNPACKED_BYTES:
        return [CheckResult("size", False, "cek_arsip_besar",
                                 {"bagian": len(entries), "mib": unpacked // 2**20})], None
    names = set(archive.namelist())
    missing = [n for n in ("[Content_Types].xml", "word/document.xml") if n not in names]
    if missing:
        return [CheckResult("docx", False, "cek_bukan_word", {"bagian": ", ".join(missing)})], None
    return [CheckResult("size", True, "cek_ukuran_ok", {"bagian": len(entries), "kib": unpacked // 1024})], archive


def _xml_checks(archive: zipfile.ZipFile) -> list[CheckResult]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    problems = []
    for name in archive.namelist():
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        data = archive.read(name)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            problems.append(f"{name}: DTD/ENTITY")
            continue
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if name.endswith(".rels"):
            for rel in root:
                if rel.get("TargetMode") == "External" and rel.get("Type") != _HYPERLINK:
                    problems.append(f"{name}: TargetMode=External -> {rel.get('Target')}")
    if problems:
        return [CheckResult("xml", False, "cek_xml_gagal", {"rincian": "; ".join(problems)})]
    return [CheckResult("xml", True, "cek_xml_ok")]


def sample_context(doc_type: str, settings: Settings) -> dict[str, Any]:
    """What a template of ``doc_type`` sees when rendering the type's sample: its context, the TTE
    anchors and a document identity."""
    doctype = doctype_named(doc_type)
    sample = TemplateRegistry(settings.templates_dir).sample(doc_type)
    data = validate_model(doctype.model, sample, prefix="data")
    return {**doctype.context(data), **anchor_context(settings), **identity_context("0" * 32, settings)}


def check_template(content: bytes, doc_type: str, settings: Settings) -> list[CheckResult]:
    """Every check, in order; later checks are skipped once the file itself is unusable."""
    from docxtpl import DocxTemplate

    from workers.prepared import PreparedTemplate, UnsupportedTemplate
    from workers.render import render_docx, sandbox_environment

    results, archive = _archive_checks(content)
    if archive is None:
        return results
    results += _xml_checks(archive)
    if not results[-1].ok:
        return results
    try:
        prepared: PreparedTemplate | None = PreparedTemplate(content)
    except TemplateRenderError as exc:
        return [*results, CheckResult("tags", False, "cek_tag_gagal", {"rincian": str(exc)})]
    except UnsupportedTemplate:
        prepared = None
    results.append(CheckResult("tags", True, "cek_tag_ok"))
    try:
        context = sample_context(doc_type, settings)
    except InvalidPayload as exc:
        return [*results, CheckResult("sample", False, "cek_sampel_tidak_sah", {"rincian": str(exc)})]
    used = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables(jinja_env=sandbox_environment())
    unknown = sorted(used - set(context))
    if unknown:
        results.append(CheckResult("variables", False, "cek_variabel_asing",
                                   {"jenis": doc_type, "variabel": ", ".join(unknown)}))
    else:
        results.append(CheckResult("variables", True, "cek_variabel_ok", {"jumlah": len(used), "jenis": doc_type}))
    try:
        rendered = prepared.render(context) if prepared else render_docx(content, context)
    except TemplateRenderError as exc:
        return [*results, CheckResult("render", False, "cek_render_gagal", {"rincian": str(exc)})]
    except JobTimeoutException:
        # RQ's time limit of the check job (DOCGEN_TEMPLATE_RENDER_TIMEOUT) cut the render off.
        limit = settings.template_render_timeout
        return [*results, CheckResult("render", False, "cek_render_lama", {"batas": limit})]
    except Exception as exc:
        detail = re.sub(r"\s+", " ", str(exc))[:300]
        return [*results, CheckResult("render", False, "cek_render_gagal",
                                      {"rincian": f"{type(exc).__name__}: {detail}"})]
    with zipfile.ZipFile(io.BytesIO(rendered)) as package:  # unpacked: repeated text compresses to little
        unpacked = sum(part.file_size for part in package.infolist())
    if unpacked > settings.template_max_render_mb * 1024 * 1024:
        return [*results, CheckResult("render", False, "cek_render_besar",
                                      {"mb": unpacked // (1024 * 1024), "maks": settings.template_max_render_mb})]
    results.append(CheckResult("render", True, "cek_render_ok", {"kib": len(rendered) // 1024}))
    return results
