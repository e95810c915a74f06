"""SQLite writers of several processes and threads take turns through the database's write lock
(storage/database/engine.WriteLock): every accepted record is written, none is refused as
"database is locked", and a writer waits while another process holds the lock, then goes on."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from config.settings import REPO_ROOT
from storage.database import close_database, database_for
from storage.records import RecordStore

WRITER = """
import sys, logging
logging.disable(logging.CRITICAL)
from storage.database import database_for
from storage.records import RecordStore
store = RecordStore(database=database_for(sys.argv[1]))
print("ready", flush=True)
for n in range(int(sys.argv[3])):
    store.create(f"{sys.argv[2]}{n:028x}", {"type": "pk", "formats": ["docx"], "client": "c", "request": "{}"})
    if n % 2:
        store.mark_started(f"{sys.argv[2]}{n:028x}", "w", 1)
print("done", flush=True)
"""


def _writer(url: str, prefix: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, url, prefix, str(count)], cwd=REPO_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_processes_and_threads_writing_together_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.db'}"
    store = RecordStore(database=database_for(url))
    try:
        writers = [_writer(url, f"p{n:03d}", 150) for n in range(3)]
        errors: list[BaseException] = []

        def thread_writes(prefix: str) -> None:
            try:
                for n in range(150):
                    store.create(f"{prefix}{n:028x}", {"type": "pk", "formats": ["docx"], "client": "c",
                                                       "request": "{}"})
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=thread_writes, args=(f"t{n:03d}",)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        outcomes = [w.communicate(timeout=120) for w in writers]
        assert [w.returncode for w in writers] == [0, 0, 0], [err[-800:] for _, err in outcomes]
        assert errors == []
        assert store.count() == 6 * 150
        assert len(store.list(status="started", limit=500)) == 3 * 75
    finally:
        close_database(url)


def test_a_writer_waits_while_another_process_holds_the_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.db'}"
    database = database_for(url)
    store = RecordStore(database=database)
    try:
        assert database.write_lock is not None
        with database.write_lock.held():
            writer = _writer(url, "w000", 1)
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
            waited_until = time.monotonic() + 1.0
            while time.monotonic() < waited_until:  # the other process must not get its write in
                assert writer.poll() is None and not store.exists(f"w000{0:028x}")
                time.sleep(0.05)
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err[-800:]
        assert out.strip() == "done" and store.exists(f"w000{0:028x}")
    finally:
        close_database(url)
