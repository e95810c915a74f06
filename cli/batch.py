"""`docgen batch submit FILE.xlsx|FILE.json [--type pk] [--format pdf] [--wait]`: a batch through
the HTTP API with the Python client (clients/python): an Idempotency-Key on the submit, retries
on 429/503, progress with an ETA, the failed rows with their errors, then the archive saved.
A service it can't reach is named, without a traceback."""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from docgen_client import ApiError, Batch, DocgenClient, DocgenError, ServiceUnreachable

from sakip import exactjson

__all__ = ["BadFile", "Progress", "follow_batch", "submit_batch"]


class Progress:
    """One status line per poll: items ended, failed, running, the rate and the time left."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.started = time.monotonic()

    def line(self, status: Batch) -> str:
        total = status["total"]
        done = status.get("finished", 0) + status.get("failed", 0)
        filled = int(self.width * done / total) if total else self.width
        elapsed = time.monotonic() - self.started
        rate = status.get("documents_per_second") or (done / elapsed if elapsed > 0 and done else 0)
        eta = _duration((total - done) / rate) if rate and done < total else ("0s" if done >= total else "?")
        return (f"\r[{'#' * filled}{'.' * (self.width - filled)}] {status.get('progress', 0.0):5.1f}% "
                f"{done}/{total} ({status.get('failed', 0)} failed, {status.get('started', 0)} running, "
                f"{rate:.1f}/s, ETA {eta})")


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.999)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class BadFile(Exception):
    """The batch file can't be sent as it is; the message says why."""


def _json_body(path: Path, doc_type: str | None, fmt: str | None, strict: bool) -> bytes:
    """The JSON file as a batch body, the flags applied; a flag that contradicts the file stops."""
    try:
        parsed = json.loads(path.read_bytes(), parse_float=Decimal)
    except ValueError as exc:
        raise BadFile(f"{path} is not valid JSON: {exc}") from None
    if isinstance(parsed, list):  # a bare list of {ref, data}
        parsed = {"items": parsed}
    if not isinstance(parsed, dict):
        raise BadFile(f"{path} holds neither a batch object nor a list of items")
    for name, flag in (("type", doc_type), ("format", fmt)):
        if flag is None:
            continue
        if name in parsed and parsed[name] != flag:
            raise BadFile(f"--{name} {flag} contradicts {path}, which says \"{name}\": "
                          f"{json.dumps(parsed[name])}; drop one of them")
        parsed[name] = flag
    parsed.setdefault("type", "pk")
    if strict:
        parsed["strict"] = True
    return exactjson.dumps(parsed).encode()


def _report(client: DocgenClient, batch_id: str) -> None:
    """Each failed row with its errors and each finished row's quality warnings, on stderr."""
    failed = client.batch_errors(batch_id)
    if failed:
        print(f"{len(failed)} baris gagal:", file=sys.stderr)
    for item in failed:
        for error in item["errors"] or [{"loc": "", "msg": item["error"]}]:
            where = "" if error.get("cell") else f"{error['loc']}: "
            print(f"  gagal {item['ref']} (item {item['index'] + 1}): {where}{error['msg']}", file=sys.stderr)
    for warned in client.batch_warnings(batch_id):
        for warning in warned["warnings"]:
            where = "" if warning.get("cell") else f"{warning['loc']}: "
            print(f"  peringatan {warned['ref']} [{warning['code']}] {where}{warning['msg']}", file=sys.stderr)


def submit_batch(path: Path, doc_type: str | None, fmt: str | None, base_url: str, wait: bool,
                 output: Path | None, key: str | None = None, strict: bool = False) -> int:
    """Submit ``path`` (sending API key ``key``, if any); with ``wait``, show progress, list the
    failed rows and the quality warnings, and save the archive. Returns the exit code."""
    try:
        content_ok = path.is_file()
    except OSError:
        content_ok = False
    if not content_ok:
        print(f"error: {path} is not a readable file", file=sys.stderr)
        return 2
    try:
        with DocgenClient(base_url, key) as client:
            if path.suffix.lower() == ".xlsx":
                batch = client.submit_batch_workbook(path, type=doc_type or "pk", format=fmt or "docx",
                                                     strict=strict)
            else:
                batch = client.submit_batch(_json_body(path, doc_type, fmt, strict))
            print(f"batch {batch['id']}: {batch['total']} items", file=sys.stderr)
            if not wait:
                print(batch["id"])
                return 0
            target = output or Path(f"{(doc_type or 'pk').upper()}-batch-{batch['id'][:8]}.zip")
            return _follow(client, batch["id"], target)
    except ServiceUnreachable as exc:
        print(f"error: {exc}; is the service running (`make run`)? Pass its address with --url", file=sys.stderr)
        return 2
    except ApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (DocgenError, BadFile) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def follow_batch(base_url: str, batch_id: str, target: Path, key: str | None = None) -> int:
    """Show the batch's progress until its archive is ready, list its failed rows and quality
    warnings, save the archive to ``target``. Returns 1 when an item failed, else 0."""
    try:
        with DocgenClient(base_url, key) as client:
            return _follow(client, batch_id, target)
    except DocgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _follow(client: DocgenClient, batch_id: str, target: Path) -> int:
    progress = Progress()

    def show(status: Batch) -> None:
        print(progress.line(status), end="", file=sys.stderr, flush=True)

    status: dict[str, Any] = dict(client.follow_batch(batch_id, on_progress=show, poll=0.5))
    print(file=sys.stderr)
    _report(client, batch_id)
    print(client.download_archive(batch_id, target))
    return 1 if status.get("failed") else 0
