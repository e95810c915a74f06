"""A batch item's public id is random, drawn at intake and stored with the item: knowing a batch id
(or another item's id) gives no item's verify page, and a re-run of the chunk reads the same id."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

from storage.batches import BatchStore
from tests.conftest import example
from workers.batch_jobs import ITEM_ID_NAMESPACE


def test_item_ids_are_random_and_kept_with_the_stored_items(client, redis, run_bulk_worker):
    items = [{"ref": f"R-{n}", "data": example("pk-jpt")["data"]} for n in range(3)]
    batch_id = client.post("/api/v1/batches", json={"type": "pk", "items": items}).get_json()["id"]
    stored = BatchStore(redis, 3600).chunk(batch_id, 0)
    drawn = [item["doc_id"] for item in stored]  # what every run of this chunk reads
    run_bulk_worker()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/batches/{batch_id}/archive").data))
    ids = [entry["id"] for entry in json.loads(archive.read("manifest.json"))]
    assert ids == drawn and len(set(ids)) == 3
    assert all(len(i) == 32 and uuid.UUID(i).version == 4 for i in ids)  # 122 random bits each
    assert not {uuid.uuid5(ITEM_ID_NAMESPACE, f"{batch_id}:{n}").hex for n in range(3)} & set(ids)
    for doc_id in ids:
        assert client.get(f"/verify/{doc_id}", headers={"Accept": "application/json"}).status_code == 200
