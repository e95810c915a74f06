"""A template version prepared once, rendered many times.

Plain docxtpl repeats everything per document: open the .docx, patch the XML, compile the
Jinja template, re-serialise and re-compress every part. Here that happens once per
template version (keyed by its sha256): docxtpl's own patched XML of each tagged part
(body, headers, footers, footnotes) is compiled in the sandbox, and every untouched part is
compressed once into a base archive. Per document only the tagged parts are rendered,
docxtpl's post-render fixes are applied where the template needs them, pictures are added
as new parts, and the rendered parts are appended to a copy of the base archive.

The output matches docxtpl's part for part (tests/test_prepared_renderer.py checks it).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.shape import CT_Inline
from docx.shared import Mm
from docxtpl import DocxTemplate
from jinja2 import Template, TemplateError
from lxml import etree
from PIL import Image

from sakip.media import BarChart, Diagram, OrgChart, Picture
from workers.columns import fit_columns
from workers.paper import fit_paper
from workers.render import ZIP_EPOCH, TemplateRenderError, draw_charts, sandbox_environment

__all__ = ["PreparedTemplate", "UnsupportedTemplate"]

_TAG = re.compile(r"\{\{|\{%|\{#")
# Column loops and cell merges change a table's column count: only then does the rendered
# body need docxtpl's fix_tables pass.
_TABLE_FIX_TAGS = re.compile(r"\{[%{]-?\s*tc\s|\{%-?\s*(hm|colspan)\b")
_HEADER_FOOTER = (RT.HEADER, RT.FOOTER)
# Tabs, newlines, \a and \f inside a text run become Word tabs, breaks and paragraphs (docxtpl's
# resolve_listing); newlines elsewhere (a picture's XML) need no pass.
_LISTING_CHARS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\n\a\f]")
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_JINJA = re.compile(r"\{[{%]")
_BLOCK_OPEN = re.compile(r"\{%-?\s*(?:if|for)\b")
_BLOCK_CLOSE = re.compile(r"\{%-?\s*end(?:if|for)\b")


_EMPTY_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<Relationships xmlns="{_RELS_NS}"></Relationships>')


def _rels_name(part_name: str) -> str:
    folder, _, file = part_name.rpartition("/")
    return f"{folder}/_rels/{file}.rels"


class UnsupportedTemplate(Exception):
    """The template uses something only plain docxtpl handles (tags in document properties)."""


@dataclass
class _TaggedPart:
    """A part holding tags: its zip name, compiled template and the XML around the tags."""

    name: str
    template: Template
    head: str = ""
    tail: str = ""
    encoding: str = "utf-8"


@dataclass
class _PictureSink:
    """Pictures placed during one render: media parts, and the relationships of each part
    (body, header, footer) that shows them."""

    part: str = "word/document.xml"  # the part being rendered now
    media: dict[str, bytes] = field(default_factory=dict)  # zip name -> PNG
    rels: dict[str, dict[str, str]] = field(default_factory=dict)  # part -> {rId: target}

    def add(self, png: bytes, extension: str = "png") -> tuple[str, str]:
        digest = hashlib.sha1(png).hexdigest()
        name = f"docgen-{digest[:16]}.{extension}"
        rid = f"rIdDocgen{digest[:12]}"
        self.media[f"word/media/{name}"] = png
        self.rels.setdefault(self.part, {})[rid] = f"media/{name}"
        return rid, name


def _cells_can_change(patched_body: str) -> bool:
    """Whether rendering can leave a table row with other cells than its grid has columns, so
    that docxtpl's fix_tables changes the grid: a tag between cells (a {%tc%} loop, after
    patching), an if/for opened in one cell and closed in another, or a grid that already
    disagrees with the cells (a {#tc#} comment removes its cell when the template is patched)."""
    root = etree.fromstring(patched_body.encode("utf-8"), parser=etree.XMLParser(recover=True))
    if root is None:
        return True  # nothing to judge by: run the fix, as docxtpl always does
    w = f"{{{_W}}}"
    for table in root.iter(f"{w}tbl"):
        grid = table.find(f"{w}tblGrid")
        columns = len(grid.findall(f"{w}gridCol")) if grid is not None else 0
        for row in table.iter(f"{w}tr"):
            between = [row.text or ""] + [cell.tail or "" for cell in row]
            if any(_JINJA.search(text) for text in between):
                return True
            spans = 0
            for cell in row.findall(f"{w}tc"):
                text = "".join(cell.itertext())
                if len(_BLOCK_OPEN.findall(text)) != len(_BLOCK_CLOSE.findall(text)):
                    return True
                span = cell.find(f"{w}tcPr/{w}gridSpan")
                spans += int(span.get(f"{w}val", "1")) if span is not None else 1
            if spans != columns:
                return True
    return False


def _png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise TemplateRenderError("a picture in the document data is not a PNG")
    return struct.unpack(">II", png[16:24])


def _picture_size(picture: Picture) -> tuple[int, int]:
    if picture.format == "PNG":
        return _png_size(picture.png)
    with Image.open(io.BytesIO(picture.png)) as image:  # a supplied JPEG, checked at intake
        return image.size


_EXTENSIONS = {"PNG": "png", "JPEG": "jpeg"}
"""Media file extension of each picture format (declared in [Content_Types].xml)."""

_RID_SLOT, _NAME_SLOT = "rIdDocgenSlot000000", "docgen-slot-0000000000.png"


@functools.lru_cache(maxsize=64)
def _inline_xml(cx: int, cy: int) -> str:
    """python-docx's inline picture XML of this size, with slots for the relationship id and
    file name: built once per size (building it with python-docx cost ~0.4 ms per picture)."""
    return CT_Inline.new_pic_inline(1, _RID_SLOT, _NAME_SLOT, cx, cy).xml


class _PlacedPicture:
    """What a Picture becomes in the context: markup for an inline drawing (like docxtpl's
    InlineImage), closing the current text run and opening a new one around it."""

    def __init__(self, picture: Picture, sink: _PictureSink) -> None:
        self.picture, self.sink = picture, sink

    def __html__(self) -> str:
        rid, filename = self.sink.add(self.picture.png, _EXTENSIONS[self.picture.format])
        width_px, height_px = _picture_size(self.picture)
        cx = Mm(self.picture.width_mm)
        cy = int(cx * height_px / width_px)
        inline = _inline_xml(cx, cy).replace(_RID_SLOT, rid).replace(_NAME_SLOT, filename)
        return f'</w:t></w:r><w:r><w:drawing>{inline}</w:drawing></w:r><w:r><w:t xml:space="preserve">'

    __str__ = __html__


_CHARTS = (BarChart, OrgChart, Diagram)


def _place_pictures(value: Any, sink: _PictureSink, draw: bool = False) -> Any:
    """The context with every Picture placed (and with ``draw``, every chart drawn first, as
    render.draw_charts does): one walk over the context instead of two, plain dicts and lists
    recognised by their type first (most of a context's values)."""
    kind = type(value)
    if kind is dict:
        return {k: _place_pictures(v, sink, draw) for k, v in value.items()}
    if kind is list:
        return [_place_pictures(v, sink, draw) for v in value]
    if kind is str:
        return value
    if isinstance(value, Picture):
        return _PlacedPicture(value, sink)
    if draw and isinstance(value, _CHARTS):
        return _place_pictures(draw_charts(value), sink)
    if isinstance(value, dict):
        return {k: _place_pictures(v, sink, draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_place_pictures(v, sink, draw) for v in value]
    return value


def _split_around(xml: str, open_tag: str, close_tag: str) -> tuple[str, str, str]:
    start = xml.index(open_tag)
    start_end = xml.index(">", start) + 1
    end = xml.rindex(close_tag)
    return xml[:start_end], xml[start_end:end], xml[end:]


class PreparedTemplate:
    """One template version, ready to render many documents."""

    def __init__(self, content: bytes, paper: str | None = None) -> None:
        self.sha256 = hashlib.sha256(content).hexdigest()
        self.env = sandbox_environment()
        tpl = DocxTemplate(io.BytesIO(content))
        tpl.init_docx()
        self._docx_tpl = tpl
        core = tpl.docx.core_properties
        if any(_TAG.search(getattr(core, name) or "") for name in _CORE_PROPERTIES):
            raise UnsupportedTemplate("tags in document properties are rendered by plain docxtpl only")
        self.parts: list[_TaggedPart] = [self._prepare_body(tpl, paper)]
        self.parts += self._prepare_headers_footers(tpl)
        self.parts += self._prepare_footnotes(tpl)
        # Each tagged part's relationships are rewritten per document: pictures add to them.
        self._rels_names = {p.name: _rels_name(p.name) for p in self.parts}
        self._rels = {name: self._read_or_empty(content, name) for name in self._rels_names.values()}
        self.base_zip = self._base_archive(content, {p.name for p in self.parts} | set(self._rels))
        # Its entries as zipfile lists them, and its bytes up to the central directory: each render
        # writes after them (reading the directory back per document cost ~0.2 ms).
        with zipfile.ZipFile(io.BytesIO(self.base_zip)) as base:
            self._base_entries = base.infolist()
            self._base_data = self.base_zip[:base.start_dir]

    @staticmethod
    def _read_or_empty(content: bytes, name: str) -> str:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if name in archive.namelist():
                return archive.read(name).decode("utf-8")
        return _EMPTY_RELS

    def _compile(self, xml: str) -> Template:
        # docxtpl renders with a newline before each paragraph so Jinja errors point at a line.
        try:
            return self.env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", xml))
        except TemplateError as exc:
            raise TemplateRenderError(f"template error (line {getattr(exc, 'lineno', '?')}): {exc}") from exc

    def _prepare_body(self, tpl: DocxTemplate, paper: str | None) -> _TaggedPart:
        raw_body = tpl.get_xml()
        text_only = re.sub(r"<[^>]+>", "", raw_body)
        # docxtpl's fix_tables also counts the rows of nested tables against the outer grid;
        # to make the same documents, run it wherever it can change something.
        nested_table = bool(re.search(r"<w:tc[ >](?:(?!</w:tc>).)*<w:tbl[ >]", raw_body, flags=re.DOTALL))
        patched = tpl.patch_xml(raw_body)
        self.needs_table_fix = bool(_TABLE_FIX_TAGS.search(text_only) or _TABLE_FIX_TAGS.search(raw_body)
                                    or nested_table or _cells_can_change(patched))
        # A namespace declared below w:body (a prefix bound again inside the body): docxtpl moves
        # its parsed body into the document, and lxml then writes those names with the
        # document's own prefixes. Only a body parsed and moved the same way says the same.
        self.reparse_body = bool(re.search(r"<w:(?!body[ >])[^>]*\sxmlns:", raw_body))
        self._body_open = re.match(r"<w:body[^>]*>", raw_body).group(0)  # type: ignore[union-attr]
        if self.reparse_body:
            self._document = copy.deepcopy(tpl.docx._part._element)
        body = fit_paper(patched, paper)
        body = re.sub(r"^<w:body[^>]*>", "<w:body>", body)  # namespaces are declared on w:document
        document = etree.tostring(tpl.docx._part._element, encoding="UTF-8", standalone=True).decode("utf-8")
        head, _, tail = _split_around(document, "<w:body", "</w:body>")
        head = head[: head.rindex("<w:body")]
        tail = tail[len("</w:body>"):]
        return _TaggedPart("word/document.xml", self._compile(body), head=head, tail=tail)

    def _prepare_headers_footers(self, tpl: DocxTemplate) -> list[_TaggedPart]:
        parts = []
        for rel in tpl.docx._part.rels.values():
            if rel.reltype not in _HEADER_FOOTER or rel.is_external:
                continue
            part = rel.target_part
            xml = tpl.get_part_xml(part)
            if not _TAG.search(xml):
                continue
            encoding = tpl.get_headers_footers_encoding(xml)
            parts.append(_TaggedPart(part.partname.lstrip("/"), self._compile(tpl.patch_xml(xml)),
                                     encoding=encoding))
        return parts

    def _prepare_footnotes(self, tpl: DocxTemplate) -> list[_TaggedPart]:
        parts = []
        for part in tpl.docx.part.package.parts:
            if part.content_type != _FOOTNOTES_TYPE:
                continue
            xml = part.blob.decode("utf-8")
            if _TAG.search(xml):
                parts.append(_TaggedPart(part.partname.lstrip("/"), self._compile(tpl.patch_xml(xml))))
        return parts

    @staticmethod
    def _base_archive(content: bytes, skip: set[str]) -> bytes:
        """Every untouched part, compressed once; [Content_Types].xml learns PNG for pictures."""
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(content)) as source, \
                zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for entry in source.infolist():
                if entry.filename in skip:
                    continue
                data = source.read(entry)
                if entry.filename == "[Content_Types].xml":
                    for extension, media_type in (("png", "image/png"), ("jpeg", "image/jpeg")):
                        if f'Extension="{extension}"'.encode() not in data:
                            data = data.replace(b"<Default ", f'<Default Extension="{extension}" ContentType='
                                                f'"{media_type}"/><Default '.encode(), 1)
                target.writestr(zipfile.ZipInfo(entry.filename, date_time=ZIP_EPOCH), data,
                                compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()

    def _render_part(self, part: _TaggedPart, context: dict[str, Any]) -> str:
        try:
            xml = part.template.render(context)
        except TemplateError as exc:
            where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
            raise TemplateRenderError(f"template error{where}: {exc}") from exc
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # the newlines _compile added
        if "_}" in xml or "{_" in xml or "%_" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if _LISTING_CHARS.search(xml):
            xml = self._docx_tpl.resolve_listing(xml)
        return xml

    def _render_body(self, part: _TaggedPart, context: dict[str, Any]) -> str:
        body = self._render_part(part, context)
        if self.reparse_body:
            document = self._moved_into_document(body)
        else:
            if self.needs_table_fix:
                namespaces = re.search(r"<w:document([^>]*)>", part.head).group(1)  # type: ignore[union-attr]
                tree = self._docx_tpl.fix_tables(body.replace("<w:body>", f"<w:body{namespaces}>", 1))
                body = re.sub(r"^<w:body[^>]*>", "<w:body>", etree.tostring(tree, encoding="unicode"))
            document = part.head + body + part.tail
        if "<wp:docPr " in document:
            counter = iter(range(1001, 1 << 30))
            document = re.sub(r'(<wp:docPr\b[^>]*?\bid=")\d+(")',
                              lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", document)
        return document

    def _moved_into_document(self, body: str) -> str:
        """What docxtpl does with the rendered body: parse it (fixing tables), put it in place
        of the template's body, serialise the whole document."""
        xml = body.replace("<w:body>", self._body_open, 1)
        tree = (self._docx_tpl.fix_tables(xml) if self.needs_table_fix
                else etree.fromstring(xml, parser=etree.XMLParser(recover=True)))
        document = copy.deepcopy(self._document)
        document.replace(document.find(f"{{{_W}}}body"), tree)
        return etree.tostring(document, encoding="UTF-8", standalone=True).decode("utf-8")

    def render(self, context: dict[str, Any], draw: bool = False) -> bytes:
        """The .docx of ``context``: same data, same bytes. With ``draw``, charts are drawn as
        pictures (render.draw_charts); without, a chart stays the object it is."""
        sink = _PictureSink()
        context = _place_pictures(context, sink, draw)
        rendered: dict[str, bytes] = {}
        for part in self.parts:
            sink.part = part.name
            if part.name == "word/document.xml":
                rendered[part.name] = fit_columns(self._render_body(part, context).encode("utf-8"))
            else:
                rendered[part.name] = self._render_part(part, context).encode(part.encoding)
        for part_name, rels_name in self._rels_names.items():
            rels = self._rels[rels_name]
            extra = "".join(f'<Relationship Id="{rid}" Type="{RT.IMAGE}" Target="{target}"/>'
                            for rid, target in sorted(sink.rels.get(part_name, {}).items()))
            rendered[rels_name] = rels.replace("</Relationships>", extra + "</Relationships>").encode("utf-8")
        out = io.BytesIO()
        out.write(self._base_data)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.filelist = [copy.copy(entry) for entry in self._base_entries]
            archive.NameToInfo = {entry.filename: entry for entry in archive.filelist}
            for name, data in rendered.items():
                archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_EPOCH), data,
                                 compress_type=zipfile.ZIP_DEFLATED)
            for name, png in sorted(sink.media.items()):
                archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_EPOCH), png, compress_type=zipfile.ZIP_STORED)
        return out.getvalue()
