"""`docgen batch submit FILE.xlsx|FILE.json --type pk [--wait]`: a batch through the HTTP API,
with a progress bar, then the archive saved."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

__all__ = ["submit_batch"]


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


def submit_batch(path: Path, doc_type: str, fmt: str, base_url: str, wait: bool, output: Path | None,
                 key: str | None = None) -> int:
    """Submit ``path`` (sending API key ``key``, if any); with ``wait``, show progress and save the
    archive. Returns the exit code."""
    api = f"{base_url.rstrip('/')}/api/v1/batches"
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    content = path.read_bytes()
    if path.suffix.lower() == ".xlsx":
        body, content_type = _multipart({"type": doc_type, "format": fmt}, path.name, content)
    else:
        parsed = json.loads(content)
        if isinstance(parsed, list):  # a bare list of {ref, data}
            parsed = {"type": doc_type, "format": fmt, "items": parsed}
        body, content_type = json.dumps(parsed, ensure_ascii=False).encode(), "application/json"
    batch = _request(api, data=body, headers={"Content-Type": content_type, **auth})
    print(f"batch {batch['id']}: {batch['total']} items", file=sys.stderr)
    if not wait:
        print(batch["id"])
        return 0
    while True:
        status = _request(f"{api}/{batch['id']}", headers=auth)
        print(_bar(status), end="", file=sys.stderr, flush=True)
        if status["archive_ready"]:
            break
        time.sleep(1)
    print(file=sys.stderr)
    target = output or Path(f"{doc_type.upper()}-batch-{batch['id'][:8]}.zip")
    archive = urllib.request.Request(f"{api}/{batch['id']}/archive", headers=auth)
    with urllib.request.urlopen(archive, timeout=600) as response, \
            open(target, "wb") as handle:
        while chunk := response.read(1 << 20):
            handle.write(chunk)
    print(target)
    return 1 if status["failed"] else 0
