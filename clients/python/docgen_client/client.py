"""DocgenClient: the service's HTTP API as typed methods, with retries and idempotency built in.

Every POST carries an Idempotency-Key (a fresh UUID unless the caller passes one), so a retry
after a lost answer gets the first answer again instead of a second document or batch. Answers
429 and 503 are retried with exponential backoff (Retry-After wins when the service sends it);
a connection that fails is retried a few times, then ServiceUnreachable names the URL.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import httpx

from docgen_client.errors import ApiError, ServiceUnreachable
from docgen_client.models import Batch, BatchError, Document

__all__ = ["ENDED", "DocgenClient"]

ENDED = frozenset({"finished", "failed", "partially_signed", "signed", "revoked"})
"""Document statuses after which nothing more happens on its own."""

RETRIED_STATUSES = frozenset({429, 503})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DocgenClient:
    """A client of one docgen service at ``base_url`` (sending API key ``key``, if any).

    ``retries`` bounds the attempts after the first for 429/503 answers and failed connections;
    ``backoff`` is the first pause in seconds (doubled each time, at most ``max_backoff``).
    """

    def __init__(self, base_url: str, key: str | None = None, *, timeout: float = 60.0, retries: int = 4,
                 backoff: float = 0.5, max_backoff: float = 30.0, connect_retries: int = 2,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries, self.backoff, self.max_backoff = retries, backoff, max_backoff
        self.connect_retries = connect_retries
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, transport=transport)

    def __enter__(self) -> DocgenClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- transport -----------------------------------------------------------------------

    def _pause(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None and (after := response.headers.get("Retry-After", "")).isdigit():
            return min(float(after), self.max_backoff)
        return min(self.backoff * 2 ** attempt, self.max_backoff)

    def request(self, method: str, path: str, *, idempotency_key: str | None = None, stream: bool = False,
                **kwargs: Any) -> httpx.Response:
        """One call, retried on 429/503 and failed connections; ApiError for any other 4xx/5xx.
        A POST gets ``idempotency_key`` (default: a fresh one, the same for every retry)."""
        headers = dict(kwargs.pop("headers", None) or {})
        if method.upper() == "POST":
            headers.setdefault("Idempotency-Key", idempotency_key or uuid.uuid4().hex)
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        attempt = connect_failures = 0
        while True:
            try:
                request = self._http.build_request(method, url, headers=headers, **kwargs)
                response = self._http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
                if connect_failures >= self.connect_retries:
                    raise ServiceUnreachable(self.base_url, _reason(exc)) from None
                time.sleep(self._pause(connect_failures, None))
                connect_failures += 1
                continue
            except httpx.TimeoutException as exc:
                raise ServiceUnreachable(self.base_url, f"no answer in time: {exc}") from None
            if response.status_code in RETRIED_STATUSES and attempt < self.retries:
                pause = self._pause(attempt, response)
                response.close()
                time.sleep(pause)
                attempt += 1
                continue
            if response.status_code >= 400:
                if stream:
                    response.read()
                raise ApiError(response.status_code, url, _problem(response))
            return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()

    # -- documents -----------------------------------------------------------------------

    def submit(self, body: Mapping[str, Any] | bytes, *, wait: int | None = None,
               idempotency_key: str | None = None) -> Document:
        """POST a document request ({type, format, data, ...}); with ``wait`` (seconds, at most 30)
        the service holds the answer until the document ends, if it does in time."""
        headers = {"Content-Type": "application/json"}
        if wait:
            headers["Prefer"] = f"wait={min(int(wait), 30)}"
        return cast(Document, self._json("POST", "/api/v1/documents", content=_dumps(body), headers=headers,
                                         idempotency_key=idempotency_key))

    def document(self, doc_id: str) -> Document:
        return cast(Document, self._json("GET", f"/api/v1/documents/{doc_id}"))

    def wait(self, doc_id: str, *, timeout: float = 300.0, poll: float = 0.5) -> Document:
        """The document once it has ended (finished, failed, ...); TimeoutError after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.document(doc_id)
            if record["status"] in ENDED:
                return record
            if time.monotonic() >= deadline:
                raise TimeoutError(f"document {doc_id} is still {record['status']} after {timeout:.0f} s")
            time.sleep(poll)

    def download(self, doc_id: str, target: str | Path = ".", *, format: str | None = None,
                 signed: bool = False) -> Path:
        """Save a finished document's file; ``target`` a folder (the file keeps the service's name)
        or a file path. ``format`` picks one of the requested formats, ``signed`` the signed copy."""
        params = {k: v for k, v in (("format", format), ("version", "signed" if signed else None)) if v}
        return self._save(f"/api/v1/documents/{doc_id}/file", Path(target), params)

    def documents(self, **filters: str | int) -> Iterator[Document]:
        """Every document the filters select (status, type, year, batch, ref, created_after,
        created_before, limit), newest first, following the pages."""
        return cast(Iterator[Document], self._pages("/api/v1/documents", filters))

    def revoke(self, doc_id: str, reason: str) -> Document:
        return cast(Document, self._json("DELETE", f"/api/v1/documents/{doc_id}", json={"reason": reason}))

    # -- batches -------------------------------------------------------------------------

    def submit_batch(self, body: Mapping[str, Any] | bytes, *, idempotency_key: str | None = None) -> Batch:
        """POST a JSON batch {type, format, items: [{ref, data}], strict?, merge_per_agency?}."""
        return cast(Batch, self._json("POST", "/api/v1/batches", content=_dumps(body),
                                      headers={"Content-Type": "application/json"}, idempotency_key=idempotency_key))

    def submit_batch_workbook(self, path: str | Path, *, type: str = "pk", format: str = "docx",
                              strict: bool = False, idempotency_key: str | None = None) -> Batch:
        """POST a filled workbook (XLSX) as one batch."""
        path = Path(path)
        fields = {"type": type, "format": format, **({"strict": "true"} if strict else {})}
        files = {"file": (path.name, path.read_bytes(), XLSX)}
        return cast(Batch, self._json("POST", "/api/v1/batches", data=fields, files=files,
                                      idempotency_key=idempotency_key))

    def batch(self, batch_id: str) -> Batch:
        return cast(Batch, self._json("GET", f"/api/v1/batches/{batch_id}"))

    def batches(self, **filters: str | int) -> Iterator[Batch]:
        """Every batch the filters select (status, type, created_after, created_before, limit)."""
        return cast(Iterator[Batch], self._pages("/api/v1/batches", filters))

    def batch_errors(self, batch_id: str) -> list[BatchError]:
        return cast(list[BatchError], self._json("GET", f"/api/v1/batches/{batch_id}/errors")["failed"])

    def batch_warnings(self, batch_id: str) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], self._json("GET", f"/api/v1/batches/{batch_id}/warnings")["items"])

    def follow_batch(self, batch_id: str, *, on_progress: Callable[[Batch], None] | None = None,
                     poll: float = 0.5, timeout: float | None = None) -> Batch:
        """Poll the batch until its archive is ready, calling ``on_progress`` with each status."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.batch(batch_id)
            if on_progress is not None:
                on_progress(status)
            if status.get("archive_ready"):
                return status
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"batch {batch_id} has not ended after {timeout:.0f} s")
            time.sleep(poll)

    def download_archive(self, batch_id: str, target: str | Path = ".") -> Path:
        """Save the batch's ZIP (documents and manifests)."""
        return self._save(f"/api/v1/batches/{batch_id}/archive", Path(target), {})

    # -- helpers -------------------------------------------------------------------------

    def _pages(self, path: str, filters: Mapping[str, str | int]) -> Iterator[Any]:
        url: str | None = path
        params: dict[str, str | int] | None = dict(filters)
        while url:
            page = self._json("GET", url, params=params)
            yield from page["items"]
            url, params = page.get("next"), None  # the next link carries the filters

    def _save(self, path: str, target: Path, params: Mapping[str, str]) -> Path:
        response = self.request("GET", path, params=params, stream=True)
        try:
            if target.is_dir():
                target = target / _attachment_name(response, path)
            partial = target.with_name(target.name + ".part")
            with open(partial, "wb") as handle:
                for chunk in response.iter_bytes(1 << 20):
                    handle.write(chunk)
            partial.replace(target)
        finally:
            response.close()
        return target


def _dumps(body: Mapping[str, Any] | bytes) -> bytes:
    """A body as JSON bytes; bytes are sent as they are (numbers exactly as the caller wrote them)."""
    if isinstance(body, bytes):
        return body
    return json.dumps(body, ensure_ascii=False).encode()


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:500] or response.reason_phrase}
    return body if isinstance(body, dict) else {"detail": str(body)}


def _attachment_name(response: httpx.Response, path: str) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename" and value:
            return Path(value.strip('"')).name
    return Path(path).name


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return "connection refused" if "refused" in text.lower() else text
