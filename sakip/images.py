"""Pictures a request supplies (agency logo, Garuda, organisation chart): how they are named
and what makes one acceptable.

A picture arrives inline as base64 (``data``, a bare string or a ``data:image/...;base64,`` URI)
or as the id of an asset an administrator uploaded once (``asset``). It is never fetched from a
URL. Every picture is opened with Pillow before it is accepted: PNG or JPEG only, at most
``MAX_IMAGE_BYTES`` and ``MAX_IMAGE_PIXELS`` on its longer side, and decodable to the end, so a
renamed file or a truncated upload is refused at the door instead of breaking a document later.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ForwardRef, Literal, get_args, get_origin

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sakip.errors import FieldError, ReadError

__all__ = ["ACCEPTED_FORMATS", "MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "CheckedImage", "ImageRef",
           "asset_refs", "check_image", "decode_base64_image"]

MAX_IMAGE_BYTES = 1024 * 1024
"""Largest accepted picture file (1 MB)."""
MAX_IMAGE_PIXELS = 2000
"""Longest accepted side, in pixels."""
ACCEPTED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
"""Pillow format name -> media type of what we accept."""

_DATA_URI = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+);base64,", re.IGNORECASE)
# base64 inflates by 4/3; refuse an oversized string before decoding it.
_MAX_BASE64_CHARS = (MAX_IMAGE_BYTES * 4) // 3 + 8


@dataclass(frozen=True)
class CheckedImage:
    """A picture that passed every check: its bytes, format and size in pixels."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def media_type(self) -> str:
        return ACCEPTED_FORMATS[self.format]


def check_image(data: bytes) -> CheckedImage:
    """The picture when it is a whole PNG or JPEG within the limits, else ReadError."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ReadError("gambar_terlalu_besar", maks_kb=MAX_IMAGE_BYTES // 1024, ukuran_kb=len(data) // 1024)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            if fmt not in ACCEPTED_FORMATS:
                raise ReadError("gambar_jenis", jenis=fmt or "?")
            if max(width, height) > MAX_IMAGE_PIXELS:
                raise ReadError("gambar_terlalu_lebar", maks=MAX_IMAGE_PIXELS, lebar=width, tinggi=height)
            # verify() checks the structure; load() decodes every pixel (a truncated file fails here).
            probe.verify()
        with Image.open(io.BytesIO(data)) as full:
            full.load()
    except ReadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ReadError("gambar_rusak") from None
    return CheckedImage(data=data, format=fmt, width=width, height=height)


def decode_base64_image(text: str) -> CheckedImage:
    """A picture from base64 text (bare or a data: URI), checked; ReadError otherwise."""
    if text.lstrip().lower().startswith(("http://", "https://", "ftp://", "file:")):
        raise ReadError("gambar_url")
    match = _DATA_URI.match(text)
    body = text[match.end():] if match else text
    body = "".join(body.split())
    if len(body) > _MAX_BASE64_CHARS:
        raise ReadError("gambar_terlalu_besar", maks_kb=MAX_IMAGE_BYTES // 1024,
                        ukuran_kb=len(body) * 3 // 4 // 1024)
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ReadError("gambar_base64") from None
    image = check_image(data)
    if match and match.group("type").lower() != image.media_type:
        raise ReadError("gambar_jenis_tidak_cocok", disebut=match.group("type"), isi=image.media_type)
    return image


class ImageRef(BaseModel):
    """A picture named in a request: ``data`` (base64, checked here) or ``asset`` (an uploaded
    asset's id, resolved by the worker against the asset store). Exactly one of the two."""

    # as sakip.models.common.Strict (which imports this module for Instansi.logo)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    data: str | None = Field(default=None, description="PNG or JPEG as base64 (or a data: URI), at most 1 MB "
                             "and 2,000 px on its longer side.")
    asset: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$",
                              description="Id of an asset uploaded once through the admin API.")

    @model_validator(mode="after")
    def _one_source(self) -> ImageRef:
        if (self.data is None) == (self.asset is None):
            raise FieldError("data", "gambar_satu_sumber")
        if self.data is not None:
            try:
                decode_base64_image(self.data)
            except ReadError as exc:
                raise FieldError("data", exc.code, **exc.params) from None
        return self

    def inline(self) -> CheckedImage | None:
        """The inline picture, decoded (already checked at validation); None for an asset."""
        return decode_base64_image(self.data) if self.data is not None else None


def asset_refs(value: object, prefix: str = "data") -> list[tuple[str, str]]:
    """Every asset id a validated payload names, with the path of its field
    (``("data.instansi.logo.asset", id)``), in field order: what the intake checks exists. Only the
    fields whose type can hold a picture are visited (``_picture_fields``, once per model class)."""
    found: list[tuple[str, str]] = []

    def walk(item: object, loc: str) -> None:
        if isinstance(item, ImageRef):
            if item.asset is not None:
                found.append((f"{loc}.asset", item.asset))
        elif isinstance(item, BaseModel):
            for name in _picture_fields(type(item)):
                walk(getattr(item, name), f"{loc}.{name}")
        elif isinstance(item, list | tuple):
            for index, element in enumerate(item):
                walk(element, f"{loc}.{index}")

    walk(value, prefix)
    return found


@functools.cache
def _picture_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model``, in order, whose declared type can hold an ImageRef (itself, in a
    list or union, or in a nested model): a PK's rows of targets are never walked."""
    return tuple(name for name, field in model.model_fields.items() if _may_hold_picture(field.annotation, set()))


def _may_hold_picture(annotation: Any, seen: set[type]) -> bool:
    if annotation is ImageRef:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:  # a model nesting itself: its other fields decide
            return False
        return any(_may_hold_picture(f.annotation, seen | {annotation}) for f in annotation.model_fields.values())
    origin = get_origin(annotation)
    if origin is Literal or origin is dict or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return False  # values, or a mapping: the walk never enters either
    if origin is Annotated:
        return _may_hold_picture(get_args(annotation)[0], seen)
    if annotation is Any or isinstance(annotation, str | ForwardRef):
        return True  # not known here: walk it, as before
    return any(_may_hold_picture(arg, seen) for arg in get_args(annotation))
