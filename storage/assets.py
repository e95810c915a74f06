"""The asset store: pictures an administrator uploads once (an agency's logo, the Garuda) and
requests name by id. The row (name, type, size, pixels, hash, who, when) is in the database;
the bytes are a file in the data folder, written before the row and removed after it, so a row
never names a missing file. Every picture is checked with ``sakip.images.check_image`` on the
way in and again when read, so a file changed on disk is refused, not printed."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, insert, select

from sakip.images import CheckedImage, check_image
from storage.database import Database
from storage.database.models import Asset
from storage.files import sha256_hex, write_atomic

__all__ = ["MAX_ASSET_NAME", "AssetInfo", "AssetStore"]

MAX_ASSET_NAME = 200
"""Longest name an asset may carry."""


class AssetInfo(BaseModel):
    """An asset's row (the API's answer adds its links: service.assets.AssetEntry)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    media_type: str
    size: int
    width: int
    height: int
    sha256: str
    uploaded_by: str
    created_at: str

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


def _info(row: Any) -> AssetInfo:
    return AssetInfo(**dict(row._mapping))


class AssetStore:
    """Assets in ``database``, their bytes under ``folder``."""

    def __init__(self, database: Database, folder: Path) -> None:
        self.database, self.folder = database, folder

    def path(self, asset_id: str) -> Path:
        return self.folder / asset_id[:2] / asset_id

    def add(self, image: CheckedImage, name: str, uploaded_by: str) -> AssetInfo:
        """Store a checked picture under a new id."""
        asset_id = uuid.uuid4().hex
        write_atomic(self.path(asset_id), image.data)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        values = {"id": asset_id, "name": name, "media_type": image.media_type, "size": len(image.data),
                  "width": image.width, "height": image.height, "sha256": sha256_hex(image.data),
                  "uploaded_by": uploaded_by, "created_at": now}
        try:
            with self.database.write() as connection:
                connection.execute(insert(Asset).values(values))
        except BaseException:
            self.path(asset_id).unlink(missing_ok=True)
            raise
        return self.get(asset_id)  # type: ignore[return-value]

    def get(self, asset_id: str) -> AssetInfo | None:
        with self.database.read() as connection:
            row = connection.execute(select(Asset).where(Asset.id == asset_id)).first()
        return _info(row) if row is not None else None

    def exists(self, asset_ids: set[str]) -> set[str]:
        """Which of ``asset_ids`` are stored."""
        if not asset_ids:
            return set()
        with self.database.read() as connection:
            return set(connection.execute(select(Asset.id).where(Asset.id.in_(asset_ids))).scalars())

    def all(self) -> list[AssetInfo]:
        """Every asset, newest first."""
        with self.database.read() as connection:
            rows = connection.execute(select(Asset).order_by(Asset.created_at.desc(), Asset.id)).all()
        return [_info(row) for row in rows]

    def delete(self, asset_id: str) -> bool:
        """Remove the asset; False when there was none."""
        with self.database.write() as connection:
            gone = connection.execute(delete(Asset).where(Asset.id == asset_id)).rowcount
        self.path(asset_id).unlink(missing_ok=True)
        return bool(gone)

    def read(self, asset_id: str) -> CheckedImage | None:
        """The asset's picture, checked again; None when the id is unknown or its file is gone."""
        if self.get(asset_id) is None:
            return None
        try:
            data = self.path(asset_id).read_bytes()
        except FileNotFoundError:
            return None
        return check_image(data)
