"""Every curl and CLI example in README.md runs as written against `docgen run` (what `make run`
starts), top to bottom as a reader would type them, in one working folder.

The examples are found, not listed: every ```sh block that calls `curl` or `docgen` is one test
(named by its line), so an example added to the README is run by the next `make test`. A block
fails when any command in it fails: bash runs it with ``set -e -o pipefail`` and curl with
``--fail-with-body`` (an HTTP 4xx/5xx answer fails, its problem+json shown).

What a reader changes by hand, the test changes the same way, and nothing else:
- ``http://127.0.0.1:8000`` is the test service's address;
- an id written as four hex digits and ``...`` (``3f0c...``) is a real one: after /documents/ and
  /verify/ a finished PK made for that block (DOCX and PDF), after /batches/ or as a JSON
  ``"batch"`` a finished batch;
- ``signed.pdf`` is that document's PDF signed (pyHanko, a test certificate) when a block names it;
- absolute folders of the machine (/backups, /new/var) are folders of the test, and a dated
  backup file is today's;
- Redis is at DOCGEN_REDIS_URL (the service uses it too), as where an operator runs `docgen db`.
Commands that are not examples to run against the service are named in ``NOT_RUN`` with why.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from config.settings import REPO_ROOT
from storage.batches import BatchStatus
from storage.records import DocumentStatus
from storage.redis_server import RedisServer
from tests.live_service import running_service
from tests.signing_ca import TestCA

README = REPO_ROOT / "README.md"

NOT_RUN = {
    "make run": "it is what the test starts (`docgen run`)",
    "make test": "it is the suite this test is part of",
    "docker compose": "Docker is not part of the test machine; tests/test_deploy_files.py checks the files",
}
"""Commands (by how their line starts) that are not run, and why."""

COMMAND = re.compile(r"(^|[|;&(]\s*)(\.venv/bin/)?(curl|docgen)\s", re.M)
PLACEHOLDER = re.compile(r"/(documents|verify|batches)/[0-9a-f]{4}\.\.\.")
BATCH_FIELD = re.compile(r'"batch": "[0-9a-f]{4}\.\.\."')


@dataclass(frozen=True)
class Example:
    line: int
    script: str

    def __str__(self) -> str:
        return f"README.md:{self.line}"


def readme_examples() -> list[Example]:
    """Each shell block of the README that calls curl or docgen, without its NOT_RUN lines."""
    text = README.read_text(encoding="utf-8")
    examples = []
    for match in re.finditer(r"^```(?:sh|bash|console)\n(.*?)^```", text, re.S | re.M):
        lines = [line for line in match.group(1).splitlines()
                 if not any(line.lstrip().startswith(prefix) for prefix in NOT_RUN)]
        script = "\n".join(lines)
        if COMMAND.search(script):
            examples.append(Example(text[:match.start()].count("\n") + 2, script))
    return examples


EXAMPLES = readme_examples()


@dataclass
class Session:
    """The running service and the folder the examples run in."""

    base: str
    env: dict[str, str]
    folder: Path
    batch_id: str = ""


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("readme")
    (folder / "examples").symlink_to(REPO_ROOT / "examples")
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)  # `.venv/bin/docgen` as written
    for machine_folder in ("backups", "new"):
        (folder / machine_folder).mkdir()
    # Redis at DOCGEN_REDIS_URL, as where the README's maintenance commands run; the service's
    # output is the log the README greps (worker.log)
    redis = RedisServer(folder / "redis").start()
    try:
        with running_service(folder / "var", log=folder / "worker.log", redis_url=redis.url) as (base, env):
            env = {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                   "ADMIN_KEY": "dgk_not_needed_without_keys"}
            yield Session(base, env, folder)
    finally:
        redis.stop()


def _finished(client: httpx.Client, url: str) -> dict:
    deadline = time.monotonic() + 180
    while True:
        record = client.get(url).json()
        if record["status"] in {"finished", "failed"}:
            assert record["status"] == "finished", record
            return record
        assert time.monotonic() < deadline, f"{url} did not finish: {record}"
        time.sleep(0.3)


def _document(session: Session) -> str:
    """A finished PK, as DOCX and PDF, made for one example."""
    body = {**json.loads((REPO_ROOT / "examples" / "pk-jpt.json").read_text()),
            "format": ["docx", "pdf"]}
    with httpx.Client(base_url=session.base, timeout=30) as client:
        answer = client.post("/api/v1/documents", json=body)
        assert answer.status_code == 202, answer.text
        doc_id = answer.json()["id"]
        _finished(client, f"/api/v1/documents/{doc_id}")
        pdf = client.get(f"/api/v1/documents/{doc_id}/file", params={"format": "pdf"})
        assert pdf.status_code == 200
        (session.folder / "issued.pdf").write_bytes(pdf.content)
    return doc_id


def _batch(session: Session) -> str:
    """A finished batch of two PKs."""
    if not session.batch_id:
        data = json.loads((REPO_ROOT / "examples" / "pk-jpt.json").read_text())["data"]
        with httpx.Client(base_url=session.base, timeout=30) as client:
            answer = client.post("/api/v1/batches", json={"type": "pk", "items": [
                {"ref": "A-1", "data": data}, {"ref": "A-2", "data": data}]})
            assert answer.status_code == 202, answer.text
            session.batch_id = answer.json()["id"]
            deadline = time.monotonic() + 180
            while client.get(f"/api/v1/batches/{session.batch_id}").json()["status"] != "finished":
                assert time.monotonic() < deadline, "the batch did not finish"
                time.sleep(0.3)
    return session.batch_id


def _as_run(example: Example, session: Session) -> str:
    """The example with what a reader fills in filled in (see the module's docstring)."""
    script = example.script.replace("http://127.0.0.1:8000", session.base)
    ids: dict[str, str] = {}
    if re.search(r"/(documents|verify)/[0-9a-f]{4}\.\.\.", script):
        ids["document"] = _document(session)
        if "signed.pdf" in script:
            signer = TestCA().issue("Dr. Ir. Rahmat Hidayat Lubis, M.Si.", "Pemerintah Provinsi Sumatera Utara")
            (session.folder / "signed.pdf").write_bytes(
                signer.sign((session.folder / "issued.pdf").read_bytes(), "ttd_pihak_pertama"))
    if re.search(r"/batches/[0-9a-f]{4}\.\.\.", script) or BATCH_FIELD.search(script):
        ids["batch"] = _batch(session)
        script = BATCH_FIELD.sub(f'"batch": "{ids["batch"]}"', script)
    script = PLACEHOLDER.sub(lambda m: f"/{m.group(1)}/{ids['batch' if m.group(1) == 'batches' else 'document']}",
                             script)
    script = re.sub(r"(?<![\w.])/backups/", f"{session.folder}/backups/", script)
    script = re.sub(r"(?<![\w.])/new/var", f"{session.folder}/new/var", script)
    return re.sub(r"docgen-\d{4}-\d{2}-\d{2}\.tar", "docgen-$(date +%F).tar", script)


PRELUDE = "set -e -o pipefail\ncurl() { command curl --fail-with-body --show-error \"$@\"; }\n"
"""Any failing command fails the example; so does an HTTP error answer."""


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_the_readme_example_runs_as_written(example: Example, session: Session):
    script = _as_run(example, session)
    done = subprocess.run(["bash", "-c", PRELUDE + script], cwd=session.folder, env=session.env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (f"{example} failed (exit {done.returncode}):\n{script}\n"
                                  f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}")


def test_the_examples_are_found():
    assert len(EXAMPLES) >= 20  # a change in how blocks are written must not silently run nothing
    assert any("templates/pk/versions" in e.script and "-F file=@" in e.script for e in EXAMPLES)


def test_files_the_examples_upload_exist():
    for example in EXAMPLES:
        for name in re.findall(r"@([\w./-]+)", example.script):
            made_here = name in {"signed.pdf", "-"} or re.search(rf"-o {re.escape(name)}\b|> ?{re.escape(name)}",
                                                               example.script)
            made_before = any(re.search(rf"-o {re.escape(name)}\b|> ?{re.escape(name)}", e.script)
                              for e in EXAMPLES if e.line < example.line)
            assert made_here or made_before or (REPO_ROOT / name).is_file(), f"{example}: {name} does not exist"


def _paragraph_with(opening: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(opening)
    return text[start:text.index("\n\n", start)]


def test_every_status_a_client_can_see_is_listed():
    documents = _paragraph_with("`status` is `queued`")
    assert [s.value for s in DocumentStatus if f"`{s.value}`" not in documents] == []
    batches = _paragraph_with("A batch's `status` is")
    assert [s.value for s in BatchStatus if f"`{s.value}`" not in batches] == []
