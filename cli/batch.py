"""`docgen batch submit FILE.xlsx|FILE.json --type pk [--wait]`: a batch through the HTTP API,
with a progress bar, then the archive saved."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from sakip import exactjson

__all__ = ["follow_batch", "submit_batch"]


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        problem = exc.read().decode(errors="replace")
        raise SystemExit(f"error: {exc.code} from {url}: {problem}") from None


def _multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _bar(status: dict[str, Any], width: int = 40) -> str:
    done = status["finished"] + status["failed"]
    filled = int(width * done / status["total"])
    rate = status.get("documents_per_second") or 0
    return (f"\r[{'#' * filled}{'.' * (width - filled)}] {status['progress']:5.1f}% "
            f"{done}/{status['total']} ({status['failed']} failed, {rate:.0f}/s)")


def _report(api: str, batch_id: str, auth: dict[str, str]) -> None:
    """Each failed item's errors and each finished item's quality warnings, on stderr."""
    for item in _request(f"{api}/{batch_id}/errors", headers=auth)["failed"]:
        for error in item["errors"] or [{"loc": "", "msg": item["error"]}]:
            where = "" if error.get("cell") else f"{error['loc']}: "
            print(f"gagal {item['ref']}: {where}{error['msg']}", file=sys.stderr)
    for item in _request(f"{api}/{batch_id}/warnings", headers=auth)["items"]:
        for warning in item["warnings"]:
            where = "" if warning.get("cell") else f"{warning['loc']}: "
            print(f"peringatan {item['ref']} [{warning['code']}] {where}{warning['msg']}", file=sys.stderr)


def submit_batch(path: Path, doc_type: str, fmt: str, base_url: str, wait: bool, output: Path | None,
                 key: str | None = None, strict: bool = False) -> int:
    """Submit ``path`` (sending API key ``key``, if any); with ``wait``, show progress, list the
    failed items and the quality warnings, and save the archive. Returns the exit code."""
    api = f"{base_url.rstrip('/')}/api/v1/batches"
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    content = path.read_bytes()
    if path.suffix.lower() == ".xlsx":
        fields = {"type": doc_type, "format": fmt, **({"strict": "true"} if strict else {})}
        body, content_type = _multipart(fields, path.name, content)
    else:
        parsed = json.loads(content, parse_float=Decimal)
        if isinstance(parsed, list):  # a bare list of {ref, data}
            parsed = {"type": doc_type, "format": fmt, "items": parsed}
        if strict:
            parsed["strict"] = True
        body, content_type = exactjson.dumps(parsed).encode(), "application/json"
    batch = _request(api, data=body, headers={"Content-Type": content_type, **auth})
    print(f"batch {batch['id']}: {batch['total']} items", file=sys.stderr)
    if not wait:
        print(batch["id"])
        return 0
    return follow_batch(base_url, batch["id"], output or Path(f"{doc_type.upper()}-batch-{batch['id'][:8]}.zip"),
                        key)


def follow_batch(base_url: str, batch_id: str, target: Path, key: str | None = None) -> int:
    """Show the batch's progress until its archive is ready, list its failed items and quality
    warnings, save the archive to ``target``. Returns 1 when an item failed, else 0."""
    api = f"{base_url.rstrip('/')}/api/v1/batches"
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    while True:
        status = _request(f"{api}/{batch_id}", headers=auth)
        print(_bar(status), end="", file=sys.stderr, flush=True)
        if status["archive_ready"]:
            break
        time.sleep(1)
    print(file=sys.stderr)
    _report(api, batch_id, auth)
    archive = urllib.request.Request(f"{api}/{batch_id}/archive", headers=auth)
    with urllib.request.urlopen(archive, timeout=600) as response, \
            open(target, "wb") as handle:
        while chunk := response.read(1 << 20):
            handle.write(chunk)
    print(target)
    return 1 if status["failed"] else 0
