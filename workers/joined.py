"""Many documents, one LibreOffice load: join rendered DOCX as sections, convert once, split the PDF.

LibreOffice's cost per conversion is mostly per load (open, lay out, export, close), not per
page. A PDF batch therefore joins N rendered documents into one DOCX, one section each: every
section keeps its own page size and margins, its own headers and footers (with its own QR code
and id), and numbers its pages from 1. Each document's first paragraph carries a bookmark,
exported as a PDF named destination; the PDF is cut at those pages, so each document gets
exactly its own pages.

Only documents it can join exactly are joined (``joinable``): one section, no field that counts
the whole document's pages (NUMPAGES) and no index (a TOC is updated by LibreOffice over the whole
joined document). Others are converted one by one by the caller.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable, Iterator, Mapping

import pikepdf

__all__ = ["DocxParts", "NotJoinable", "join_docx", "joinable", "split_pdf"]

_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEADER_FOOTER_REF = re.compile(r'<w:(header|footer)Reference\b[^>]*?r:id="([^"]+)"[^>]*/>')
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*/>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_FIRST_PARAGRAPH = re.compile(r"<w:p(?=[ >])[^>]*>(?:<w:pPr>.*?</w:pPr>|<w:pPr/>)?", re.DOTALL)
_LAST_PARAGRAPH_START = re.compile(r"<w:p(?=[ >])[^>]*>")
_CONTENT_TYPES = {
    "header": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "footer": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
}
DESTINATION = "docgenpart{}"
"""Name of the bookmark (and PDF named destination) at the start of the i-th joined document
(letters and digits only: LibreOffice escapes others in destination names)."""


class NotJoinable(Exception):
    """This document can't be joined with others and still convert exactly as it would alone."""



_NOT_STORIES = re.compile(
    r"word/(styles|stylesWithEffects|numbering|settings|webSettings|fontTable)\.xml|word/theme/.*")
"""Parts that hold no text, hence no field: not searched for NUMPAGES; the template's, not the document's."""

_TEMPLATE_PARTS: dict[bytes, bytes] = {}
"""The template's own parts (styles, settings, theme...) decompressed, by their compressed bytes:
every group of a batch copies the same ~800 kB into its joined document, inflated once per process."""

_TEMPLATE_PARTS_KEPT = 64
_TEMPLATE_PARTS_LOCK = threading.Lock()  # a bulk worker's converter threads join groups side by side
_LOCAL_HEADER = 30  # a zip entry's fixed local header; its name and extra field follow


class DocxParts(Mapping[str, bytes]):
    """A DOCX's parts, each decompressed only when asked for (and then kept): the template's styles
    (hundreds of kilobytes) are read once per group, not once per document, and a document checked
    by ``joinable`` is not read again by ``join_docx``."""

    def __init__(self, docx: bytes) -> None:
        self.docx = docx
        self.archive = zipfile.ZipFile(io.BytesIO(docx))
        self.infos = {info.filename: info for info in self.archive.infolist()}
        self._cache: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name not in self._cache:
            try:
                info = self.infos[name]
            except KeyError:
                raise KeyError(name) from None
            self._cache[name] = self._template_part(info) if _NOT_STORIES.fullmatch(name) else self.archive.read(info)
        return self._cache[name]

    def _template_part(self, info: zipfile.ZipInfo) -> bytes:
        # Keyed by the exact compressed bytes (not a checksum): equal keys are equal contents.
        start = info.header_offset
        header = self.docx[start:start + _LOCAL_HEADER]
        if len(header) < _LOCAL_HEADER or header[:4] != b"PK\x03\x04" or info.flag_bits & 0x8:
            return self.archive.read(info)  # a data descriptor or an odd header: read it the ordinary way
        data = start + _LOCAL_HEADER + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        key = self.docx[data:data + info.compress_size] + info.compress_type.to_bytes(2, "little")
        if (content := _TEMPLATE_PARTS.get(key)) is None:
            content = self.archive.read(info)  # checks the CRC-32 as ever
            with _TEMPLATE_PARTS_LOCK:
                _TEMPLATE_PARTS[key] = content
                while len(_TEMPLATE_PARTS) > _TEMPLATE_PARTS_KEPT:
                    del _TEMPLATE_PARTS[next(iter(_TEMPLATE_PARTS))]
        return content

    def __iter__(self) -> Iterator[str]:
        return iter(self.infos)

    def __len__(self) -> int:
        return len(self.infos)

    def fingerprint(self, name: str) -> tuple[int, int] | None:
        """(CRC-32, size) of a part without decompressing it; None when it is absent."""
        info = self.infos.get(name)
        return None if info is None else (info.CRC, info.file_size)



def _relationships(xml: str) -> list[dict[str, str]]:
    return [dict(_ATTR.findall(tag)) for tag in _RELATIONSHIP.findall(xml)]


def joinable(docx: bytes | DocxParts) -> str | None:
    """Why ``docx`` can't be joined exactly, or None when it can."""
    parts = docx if isinstance(docx, DocxParts) else DocxParts(docx)
    body = parts["word/document.xml"].decode("utf-8")
    if body.count("<w:sectPr") != 1:
        return "it has more than one section"
    for name in parts:
        if (name.startswith("word/") and name.endswith(".xml") and not _NOT_STORIES.fullmatch(name)
                and (b"NUMPAGES" in parts[name] or b"SECTIONPAGES" in parts[name])):  # a regex took 7x longer
            return "it counts the pages of the whole document (NUMPAGES)"
    # Searched only where a content control starts: the lazy pattern runs to the body's end from each.
    if (("<w:sdt>" in body and re.search(r"<w:sdt>.*?w:docPartGallery w:val=\"Table of Contents\"", body, re.DOTALL))
            or " TOC " in body):
        return "it has a table of contents"
    return None


def _split_body(xml: str) -> tuple[str, str, str, str]:
    """(head up to <w:body>, body content, the body's sectPr, tail from </w:body>)."""
    start = xml.index("<w:body>") + len("<w:body>")
    sect = xml.rindex("<w:sectPr")
    end = xml.rindex("</w:body>")
    return xml[:start], xml[start:sect], xml[sect:end], xml[end:]


def _restart_numbering(sect_pr: str) -> str:
    """Pages of each joined document numbered from 1."""
    if "<w:pgNumType" in sect_pr:
        return re.sub(r"<w:pgNumType\b([^>]*?)(/?)>",
                      lambda m: "<w:pgNumType" + re.sub(r'\s*w:start="\d+"', "", m.group(1)) + ' w:start="1"'
                      + m.group(2) + ">", sect_pr, count=1)
    for anchor in ("<w:cols", "<w:formProt", "<w:vAlign", "<w:noEndnote", "<w:titlePg", "<w:textDirection",
                   "<w:bidi", "<w:rtlGutter", "<w:docGrid", "<w:printerSettings", "</w:sectPr>"):
        if anchor in sect_pr:
            return sect_pr.replace(anchor, '<w:pgNumType w:start="1"/>' + anchor, 1)
    return sect_pr


def _with_bookmark(body: str, index: int) -> str:
    first = _FIRST_PARAGRAPH.search(body)
    if first is None:
        raise NotJoinable("it has no paragraph")
    mark = (f'<w:bookmarkStart w:id="{900000 + index}" w:name="{DESTINATION.format(index)}"/>'
            f'<w:bookmarkEnd w:id="{900000 + index}"/>')
    return body[:first.end()] + mark + body[first.end():]


def _ending_section(body: str, sect_pr: str) -> str:
    """The body with its section's properties on its last paragraph (a section break there):
    no extra paragraph, so no page that the document alone would not have."""
    if body.rstrip().endswith("</w:tbl>"):
        # Writer can't end a document with a table: alone, the document gets an empty paragraph
        # after it on loading. Joined, this one holds the section break in its place.
        return body + f"<w:p><w:pPr>{sect_pr}</w:pPr></w:p>"
    starts = list(_LAST_PARAGRAPH_START.finditer(body))
    if not starts or not body.rstrip().endswith("</w:p>"):
        raise NotJoinable("it does not end with a paragraph or a table")
    last = starts[-1]
    # The last paragraph must be top level (not inside a table that happens to end the body).
    tail = body[last.start():]
    if "<w:tbl" in tail or "</w:tc>" in tail:
        raise NotJoinable("it ends inside a table")
    opening = last.group(0)
    rest = body[last.end():]
    if rest.startswith("<w:pPr/>"):
        rest = f"<w:pPr>{sect_pr}</w:pPr>" + rest[len("<w:pPr/>"):]
    elif rest.startswith("<w:pPr>"):
        close = rest.index("</w:pPr>")
        inner = rest[len("<w:pPr>"):close]
        # sectPr goes after the paragraph's run properties and before a tracked change record.
        if "<w:pPrChange" in inner:
            at = inner.index("<w:pPrChange")
            inner = inner[:at] + sect_pr + inner[at:]
        else:
            inner += sect_pr
        rest = "<w:pPr>" + inner + rest[close:]
    else:
        rest = f"<w:pPr>{sect_pr}</w:pPr>" + rest
    return body[:last.start()] + opening + rest


def join_docx(documents: list[bytes] | list[DocxParts]) -> bytes:
    """One DOCX holding ``documents`` in order, each its own section. The documents must come from
    one template (styles, numbering and settings are the first one's). Raises NotJoinable. Its
    entries are stored, not compressed: it only goes to LibreOffice, which then inflates nothing."""
    if not documents:
        raise ValueError("nothing to join")
    parts = [d if isinstance(d, DocxParts) else DocxParts(d) for d in documents]
    first = parts[0]
    head, _, _, tail = _split_body(first["word/document.xml"].decode("utf-8"))
    base_rels = first["word/_rels/document.xml.rels"].decode("utf-8")
    kept_rels = [tag for tag in _RELATIONSHIP.findall(base_rels)
                 if not re.search(r'Type="[^"]*/(header|footer|image)"', tag)]
    rels: dict[str, str] = {}
    media: dict[str, bytes] = {}
    extra_parts: dict[str, bytes] = {}
    overrides: list[str] = []
    bodies = []
    for index, doc in enumerate(parts):
        why = None if index == 0 else _same_template(first, doc)
        if why:
            raise NotJoinable(why)
        _, body, sect_pr, _ = _split_body(doc["word/document.xml"].decode("utf-8"))
        doc_rels = {r["Id"]: r for r in _relationships(doc["word/_rels/document.xml.rels"].decode("utf-8"))}

        def rename(match: re.Match[str], index: int = index, doc: DocxParts = doc,
                   doc_rels: dict[str, dict[str, str]] = doc_rels) -> str:
            kind, rid = match.group(1), match.group(2)
            target = doc_rels[rid]["Target"]
            new_name = f"{kind}-j{index}-{target.rsplit('/', 1)[-1]}"
            new_rid = f"rIdJoin{index}{kind}{rid}"
            extra_parts[f"word/{new_name}"] = doc[f"word/{target}"]
            old_rels = f"word/_rels/{target}.rels"
            if old_rels in doc:
                extra_parts[f"word/_rels/{new_name}.rels"] = doc[old_rels]
            overrides.append(f'<Override PartName="/word/{new_name}" ContentType="{_CONTENT_TYPES[kind]}"/>')
            rels[new_rid] = (f'<Relationship Id="{new_rid}" Type="{doc_rels[rid]["Type"]}" '
                             f'Target="{new_name}"/>')
            return match.group(0).replace(f'r:id="{rid}"', f'r:id="{new_rid}"')

        sect_pr = _restart_numbering(_HEADER_FOOTER_REF.sub(rename, sect_pr))
        for rid, rel in doc_rels.items():
            if rel["Type"].endswith("/image"):
                known = rels.get(rid)
                tag = f'<Relationship Id="{rid}" Type="{rel["Type"]}" Target="{rel["Target"]}"/>'
                if known is not None and known != tag:
                    raise NotJoinable(f"picture relationship {rid} means different files in two documents")
                rels[rid] = tag
        for name in doc:
            if name.startswith("word/media/"):
                content = doc[name]
                if name in media and media[name] != content:
                    raise NotJoinable(f"{name} differs between two documents")
                media[name] = content
        body = _with_bookmark(body, index)
        bodies.append(body if index == len(parts) - 1 else _ending_section(body, sect_pr))
        if index == len(parts) - 1:
            last_sect = sect_pr
    document = head + "".join(bodies) + last_sect + tail
    rels_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_RELS}">'
                + "".join(kept_rels) + "".join(rels.values()) + "</Relationships>")
    content_types = first["[Content_Types].xml"].decode("utf-8").replace("</Types>", "".join(overrides) + "</Types>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in first.items():
            if name.startswith("word/media/") or name in ("word/document.xml", "word/_rels/document.xml.rels",
                                                          "[Content_Types].xml"):
                continue
            archive.writestr(name, content)
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/_rels/document.xml.rels", rels_xml)
        for name, content in {**extra_parts, **media}.items():
            archive.writestr(name, content)
    return out.getvalue()


_SHARED_PARTS = ("word/styles.xml", "word/numbering.xml", "word/settings.xml", "word/fontTable.xml")


def _same_template(first: DocxParts, other: DocxParts) -> str | None:
    # Compared by CRC-32 and size, as the zip records them: decompressing each document's copy of
    # the template's styles cost more than the rest of the join.
    for name in _SHARED_PARTS:
        if first.fingerprint(name) != other.fingerprint(name):
            return f"{name} differs from the first document's (another template?)"
    return None


def _destination_pages(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Named destination -> page index."""
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    found: dict[str, int] = {}
    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if names is not None else None
    entries: list[tuple[str, object]] = []
    if tree is not None:
        entries += [(str(k), v) for k, v in pikepdf.NameTree(tree).items()]
    if "/Dests" in pdf.Root:
        entries += [(str(k).lstrip("/"), v) for k, v in pdf.Root.Dests.items()]
    for name, value in entries:
        target = value.get("/D") if isinstance(value, pikepdf.Dictionary) else value
        if isinstance(target, pikepdf.Array) and len(target) and target[0].objgen in pages:
            found[name] = pages[target[0].objgen]
    return found


def split_pdf(pdf: bytes, count: int, finish: Callable[[bytes], bytes] = lambda b: b, *,
              signable: bool = False) -> list[bytes]:
    """The PDF of each of ``count`` joined documents: its pages, from its destination to the
    next one's, all cut from one open of the joined PDF. ``signable`` gives each an empty
    interactive form (/AcroForm) as it is written, what signing/prepare.py adds to a PDF converted
    alone (there as an incremental update, to keep LibreOffice's bytes; a split part is written
    anew anyway), so no second parse per document. Raises ValueError when a document's start is
    not found."""
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as joined:
        starts = _destination_pages(joined)
        try:
            firsts = [starts[DESTINATION.format(i)] for i in range(count)]
        except KeyError as missing:
            raise ValueError(f"the joined PDF lacks the start of document {missing}") from None
        if firsts != sorted(firsts) or (count and firsts[0] != 0):
            raise ValueError(f"documents start at pages {firsts}: not in order")
        ends = [*firsts[1:], len(joined.pages)]
        info = {key: joined.docinfo[key] for key in ("/Producer", "/Creator", "/CreationDate") if key in joined.docinfo}
        out = []
        for start, end in zip(firsts, ends, strict=True):
            if end <= start:
                raise ValueError("a document has no page of its own")
            part = pikepdf.Pdf.new()
            part.pages.extend(joined.pages[start:end])
            for key, value in info.items():
                part.docinfo[key] = value
            for page in part.pages:  # links to other documents' destinations mean nothing here
                if "/Annots" in page:
                    kept = [a for a in page.Annots if a.get("/Subtype") != pikepdf.Name.Link]
                    page.Annots = part.make_indirect(pikepdf.Array(kept))
            if signable:
                part.Root.AcroForm = part.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array()))
            buffer = io.BytesIO()
            part.save(buffer)
            out.append(finish(buffer.getvalue()))
        return out
