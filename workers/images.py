"""Pictures a request supplied, made ready for a template: an ``ImageRef`` resolved to its bytes
(inline base64, or an asset read from the asset store, never from a URL) and a
``SuppliedPicture`` in a context turned into a ``Picture`` sized to its box. Reads storage only;
no Flask."""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from sakip.errors import FieldProblem, InvalidPayload
from sakip.images import CheckedImage, ImageRef
from sakip.media import Picture, SuppliedPicture
from storage.assets import AssetStore
from storage.database import database_for

__all__ = ["MissingAsset", "asset_store_for", "fit_width_mm", "resolve_image", "resolve_pictures"]


class MissingAsset(LookupError):
    """The asset a request names is gone (deleted after the request was accepted)."""


def asset_store_for(settings: Settings) -> AssetStore:
    """The asset store of ``settings``' database and data folder."""
    return AssetStore(database_for(settings.database_url), settings.assets_dir)


def resolve_image(ref: ImageRef, store: AssetStore) -> CheckedImage:
    """The picture ``ref`` names, checked; MissingAsset for an asset id the store doesn't hold."""
    inline = ref.inline()
    if inline is not None:
        return inline
    assert ref.asset is not None
    image = store.read(ref.asset)
    if image is None:
        raise MissingAsset(ref.asset)
    return image


def fit_width_mm(image: CheckedImage, max_width_mm: float, max_height_mm: float) -> float:
    """The width at which the picture fills its box without leaving it (aspect ratio kept)."""
    return min(max_width_mm, max_height_mm * image.width / image.height)


def resolve_pictures(context: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``context`` with every SuppliedPicture replaced by a Picture. Raises InvalidPayload (the
    document fails with a reason a client can read) when an asset was deleted meanwhile."""
    store: AssetStore | None = None

    def walk(value: Any, loc: str) -> Any:
        nonlocal store
        if isinstance(value, SuppliedPicture):
            store = store or asset_store_for(settings)
            try:
                image = resolve_image(value.ref, store)
            except MissingAsset as exc:
                raise InvalidPayload([FieldProblem(f"{value.loc or loc}.asset", "aset_tidak_dikenal",
                                                   {"id": str(exc)})]) from None
            return Picture(png=image.data, width_mm=fit_width_mm(image, value.max_width_mm, value.max_height_mm),
                           format=image.format)
        if isinstance(value, dict):
            return {k: walk(v, f"{loc}.{k}" if loc else k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{loc}.{i}") for i, v in enumerate(value)]
        return value

    return walk(context, "")
