"""Pictures for the tests: a logo and a Garuda drawn with Pillow (recognisable shapes, so a
page looked at by eye shows where each went), and the bad files a client might send."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw

__all__ = ["as_base64", "garuda_png", "logo_jpeg", "logo_png", "noise_png"]


def logo_png(width: int = 300, height: int = 360) -> bytes:
    """A green shield with a yellow star: a regional logo's shape, taller than wide."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 0), (width, 0), (width, height * 2 // 3), (width // 2, height), (0, height * 2 // 3)],
                 fill=(20, 120, 40, 255), outline=(0, 0, 0, 255))
    cx, cy, r = width // 2, height // 3, width // 4
    draw.regular_polygon((cx, cy, r), 5, fill=(250, 210, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def logo_jpeg(width: int = 300, height: int = 360) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(logo_png(width, height))).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def garuda_png(size: int = 400) -> bytes:
    """A golden bird-like emblem (wings, body, shield): square."""
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    gold = (200, 150, 20, 255)
    draw.polygon([(size // 2, size // 10), (size - 5, size // 3), (size * 3 // 5, size // 2)], fill=gold)
    draw.polygon([(size // 2, size // 10), (5, size // 3), (size * 2 // 5, size // 2)], fill=gold)
    draw.ellipse((size * 3 // 10, size // 5, size * 7 // 10, size * 9 // 10), fill=gold)
    draw.rectangle((size * 2 // 5, size * 2 // 5, size * 3 // 5, size * 3 // 5), fill=(180, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def noise_png(width: int, height: int) -> bytes:
    """Random pixels: a PNG that does not compress (to make one larger than 1 MB)."""
    import os

    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def as_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
