"""Bounds an uploaded workbook before openpyxl parses it: a 17 MB file of a million rows, or a 1 MB
archive that unpacks to gigabytes, is refused in seconds instead of filling a web process's memory.

An .xlsx is a ZIP: its central directory declares each part's unpacked size, and Python's zipfile
never unpacks more than declared, so the sum is a true bound. Rows are counted by streaming each
worksheet's XML in chunks (``<row`` elements), without building anything.
"""

from __future__ import annotations

import io
import re
import zipfile

from sakip.errors import FieldProblem, InvalidPayload
from sakip.messages import message
from service.language import request_language
from service.problems import Problem

__all__ = ["MAX_PARTS", "check_workbook_archive"]

MAX_PARTS = 500
"""Parts (files) an uploaded workbook may hold; a real one has a few dozen."""
_CHUNK = 1 << 20
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _too_large(code: str, params: dict[str, int]) -> Problem:
    return Problem.coded(413, code, params, errors=[{"loc": "file", "msg": message(code, params, request_language())}])


def _count_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    rows, tail = 0, b""
    with archive.open(info) as part:
        while rows <= limit and (chunk := part.read(_CHUNK)):
            data = tail + chunk
            # a tag that ends inside the carried-over tail was counted in the previous round
            rows += sum(1 for match in _ROW.finditer(data) if match.end() > len(tail))
            tail = data[-16:]
    return rows


def check_workbook_archive(content: bytes, max_unpacked_bytes: int, max_rows: int) -> None:
    """Raise 413 when the workbook unpacks to more than ``max_unpacked_bytes`` or its sheets hold more
    than ``max_rows`` rows in all, 422 when it is not an .xlsx archive at all."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise InvalidPayload([FieldProblem("file", "bukan_xlsx")]) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _too_large("buku_kerja_terlalu_banyak_bagian", {"jumlah": len(parts), "maks": MAX_PARTS})
        unpacked = sum(part.file_size for part in parts)
        if unpacked > max_unpacked_bytes:
            raise _too_large("buku_kerja_terlalu_besar", {"mb": unpacked // (1024 * 1024),
                                                          "maks": max_unpacked_bytes // (1024 * 1024)})
        rows = 0
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                rows += _count_rows(archive, part, max_rows - rows)
                if rows > max_rows:
                    raise _too_large("buku_kerja_terlalu_banyak_baris", {"maks": max_rows})
