"""The warm converter's client: finds (or starts) this worker's converter host and sends it DOCX.

One converter host (workers/converter_host.py) per *owner* process: the RQ worker's long-lived
parent when called from a work horse, else the calling process itself (the CLI, a test, the
benchmark). Horses come and go; the host and its LibreOffice stay warm between them, and exit
when the owner exits. The host's state file, ``<state dir>/converter-<owner>.json`` (workers/convert.py says where),
names its pid, port and LibreOffice's pid (tests kill LibreOffice through it). An owner can keep
more than one (``slot`` 1, 2...: ``converter-<owner>-<slot>.json``), each its own LibreOffice, so
a PDF batch converts groups side by side where the cores allow.

The host keeps LibreOffice's hygiene (timeout, kill and restart, recycle, reaping); this side
only starts the host, and replaces it if the host itself stops answering. It also says what
LibreOffice runs with: jemalloc where installed (``malloc``), and a scratch folder in memory
(/dev/shm) where there is room, for the files LibreOffice writes per conversion.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import fcntl
import hashlib
import http.client
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConversionError", "ConverterUnavailable", "HostState", "WarmConverter", "host_states",
           "stop_converters"]

log = logging.getLogger(__name__)

HOST_SCRIPT = Path(__file__).with_name("converter_host.py")
HOST_GRACE_SECONDS = 90
"""Beyond the conversion timeout, how long the client waits before it gives up on the host
itself (the host needs time to kill and restart a stuck LibreOffice)."""

SCRATCH_MIN_FREE = 256 * 2**20
"""Free bytes /dev/shm needs for a converter's scratch folder to go there (Docker gives 64 MB by
default: then it stays beside the profile)."""

_started: dict[int, subprocess.Popen[bytes]] = {}
"""Hosts this process started: polled so a dead one is reaped, not left a zombie."""


class ConversionError(Exception):
    """LibreOffice failed or timed out on this document; a retry may succeed."""


class ConverterUnavailable(Exception):
    """LibreOffice (or its Python bridge) is not installed where this worker runs; retrying won't help."""


@dataclass(frozen=True)
class HostState:
    """What a converter host wrote about itself."""

    pid: int
    port: int
    owner: int
    soffice_pid: int | None
    conversions: int
    restarts: int
    scratch: str | None = None
    """The host's scratch folder: removed with the host (a SIGKILL leaves it to whoever kills)."""

    @classmethod
    def read(cls, path: Path) -> HostState | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls(pid=raw["pid"], port=raw["port"], owner=raw["owner"], soffice_pid=raw.get("soffice_pid"),
                   conversions=raw.get("conversions", 0), restarts=raw.get("restarts", 0),
                   scratch=raw.get("scratch"))


def _is_host(pid: int) -> bool:
    """Alive, not a zombie, and really a converter host (pids get reused)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z" and HOST_SCRIPT.name.encode() in cmdline


def _reap_started() -> None:
    for pid, process in list(_started.items()):
        if process.poll() is not None:
            del _started[pid]


jobs_run_in_this_process = False
"""Set by a worker that runs its jobs itself (workers.warm.InProcessWorker): a job's converter then
belongs to this process, not to the parent of a work horse."""


def owner_pid() -> int:
    """The process the converter belongs to: a work horse's worker, or this process."""
    from rq import get_current_job

    return os.getppid() if get_current_job() is not None and not jobs_run_in_this_process else os.getpid()


class WarmConverter:
    """DOCX -> PDF through the owner's warm LibreOffice."""

    def __init__(self, state_dir: Path, *, soffice: str = "soffice", python: str = "/usr/bin/python3",
                 timeout: float = 120, recycle_after: int = 200, startup_timeout: float = 60,
                 owner: int | None = None, slot: int = 0, malloc: str = "jemalloc") -> None:
        self.state_dir = state_dir
        self.malloc = malloc
        self.soffice = soffice
        self.python = python
        self.timeout = timeout
        self.recycle_after = recycle_after
        self.startup_timeout = startup_timeout
        self.owner = owner if owner is not None else owner_pid()
        self.name = f"{self.owner}-{slot}" if slot else str(self.owner)
        """What its state, lock, log and profile are named by: the owner, and the slot after the first."""
        self.last_timing: dict[str, float] = {}
        """The seconds of the last conversion's steps, as the host measured them (load, index,
        export, close; cpu: LibreOffice's CPU seconds)."""

    @property
    def state_path(self) -> Path:
        return self.state_dir / f"converter-{self.name}.json"

    def state(self) -> HostState | None:
        """The running host's state, or None when there is none."""
        state = HostState.read(self.state_path)
        return state if state is not None and _is_host(state.pid) else None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One conversion per host at a time, and one start, even if two processes ask."""
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.state_dir / f"converter-{self.name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def scratch_dir(self) -> Path:
        """Where this converter's LibreOffice and host write a conversion's files: in memory when
        /dev/shm has room (LibreOffice copies every picture it imports to a temporary file, a new
        inode each on a disk), else beside the profile. Named by the state folder and the converter,
        so no two converters share one."""
        shm = Path("/dev/shm")
        try:
            free = os.statvfs(shm)
            if os.access(shm, os.W_OK) and free.f_bavail * free.f_frsize >= SCRATCH_MIN_FREE:
                tag = hashlib.sha256(str(self.state_dir.resolve()).encode()).hexdigest()[:12]
                return shm / f"docgen-{tag}-converter-{self.name}"
        except OSError:
            pass
        return self.state_dir / f"scratch-{self.name}"

    def preload(self) -> str:
        """The malloc library LibreOffice starts with ("" for the system's)."""
        if self.malloc != "jemalloc":
            return ""
        found = ctypes.util.find_library("jemalloc")
        if found is None:
            log.info("jemalloc (libjemalloc2) is not installed: LibreOffice runs with the system's malloc")
        return found or ""

    def _check_installed(self) -> None:
        if shutil.which(self.soffice) is None:
            raise ConverterUnavailable(
                f"PDF output needs LibreOffice ('{self.soffice}'), which is not installed on this worker")
        if shutil.which(self.python) is None:
            raise ConverterUnavailable(
                f"PDF output needs LibreOffice's Python ('{self.python}' with python3-uno), not found on this worker")

    def _start(self) -> HostState:
        self._check_installed()
        _reap_started()
        import unoserver

        libpath = str(Path(unoserver.__file__).resolve().parent.parent)
        profile = self.state_dir / f"profile-{self.name}"
        command = [self.python, "-I", str(HOST_SCRIPT), "--owner", str(self.owner), "--state", str(self.state_path),
                   "--profile", str(profile), "--soffice", self.soffice, "--libpath", libpath,
                   "--timeout", str(self.timeout), "--recycle-after", str(self.recycle_after),
                   "--startup-timeout", str(self.startup_timeout), "--preload", self.preload(),
                   "--scratch", str(self.scratch_dir())]
        log_file = open(self.state_dir / f"converter-{self.name}.log", "ab")  # the host inherits its own descriptor
        # A session of its own: Ctrl-C in a terminal or a signal to the horse's group doesn't reach it;
        # it ends with its owner instead.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file,
                                   start_new_session=True, close_fds=True)
        log_file.close()
        _started[process.pid] = process
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], self.startup_timeout + 5)
        line = process.stdout.readline() if ready else b""
        process.stdout.close()
        try:
            answer = json.loads(line) if line else {"error": "it did not report ready in time"}
        except ValueError:
            answer = {"error": f"it said {line[:200]!r}"}
        if "error" in answer:
            self._kill(process.pid)
            if process.returncode == 3:
                raise ConverterUnavailable(f"PDF output is not available on this worker: {answer['error']}")
            raise ConversionError(f"the PDF converter could not start: {answer['error']}")
        log.info("converter host %s started for owner %s (LibreOffice %s, port %s)",
                 process.pid, self.owner, answer["soffice_pid"], answer["port"])
        state = HostState.read(self.state_path)
        assert state is not None
        return state

    @staticmethod
    def _kill(pid: int, scratch: str | None = None) -> None:
        """Kill a host and its LibreOffice (one process group); reap it when it is ours; remove its
        scratch folder, which a killed host can't (in memory, it would hold memory)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        process = _started.pop(pid, None)
        if process is not None:
            process.wait()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    def _post(self, state: HostState, docx: bytes, profile: str = "pdf", destinations: bool = False
              ) -> tuple[int, bytes]:
        self.last_timing = {}
        connection = http.client.HTTPConnection("127.0.0.1", state.port, timeout=self.timeout + HOST_GRACE_SECONDS)
        try:
            connection.request("POST", f"/convert?profile={profile}&destinations={int(destinations)}", body=docx,
                               headers={"Content-Type": "application/octet-stream"})
            response = connection.getresponse()
            for step in (response.getheader("X-Convert-Seconds") or "").split():
                name, _, seconds = step.partition("=")
                self.last_timing[name] = float(seconds)
            return response.status, response.read()
        finally:
            connection.close()

    def convert(self, docx: bytes, profile: str = "pdf", destinations: bool = False) -> bytes:
        """The PDF of ``docx``; ``profile`` "pdfa-2b" makes it PDF/A-2b; ``destinations`` exports
        its bookmarks as named destinations (workers/joined.py). Raises ConversionError (retry
        may help) or ConverterUnavailable."""
        with self._locked():
            state = self.state() or self._start()
            try:
                status, body = self._post(state, docx, profile, destinations)
            except OSError as exc:
                # The host itself is gone or wedged (LibreOffice problems it handles itself): replace it.
                log.warning("converter host %s did not answer (%s): replacing it", state.pid, exc)
                self._kill(state.pid, state.scratch)
                state = self._start()
                try:
                    status, body = self._post(state, docx, profile, destinations)
                except OSError as again:
                    self._kill(state.pid, state.scratch)
                    raise ConversionError(f"the PDF converter did not answer: {again}") from again
        if status == 200:
            return body
        detail = body.decode(errors="replace")[:300]
        if status == 504:
            raise ConversionError(f"PDF conversion took longer than {self.timeout:.0f} seconds; "
                                  "LibreOffice was restarted")
        raise ConversionError(f"LibreOffice could not convert the document: {detail}")

    def stop(self) -> None:
        """Stop this owner's host (and its LibreOffice)."""
        with self._locked():
            state = self.state()
            if state is not None:
                self._kill(state.pid, state.scratch)
            self.state_path.unlink(missing_ok=True)


def host_states(state_dir: Path) -> list[HostState]:
    """Every running converter host that keeps its state under ``state_dir``."""
    states = (HostState.read(path) for path in sorted(state_dir.glob("converter-*.json")))
    return [state for state in states if state is not None and _is_host(state.pid)]


def stop_converters(state_dir: Path) -> None:
    """Stop every converter host under ``state_dir``, whoever owns it."""
    for state in host_states(state_dir):
        WarmConverter._kill(state.pid, state.scratch)
        deadline = time.monotonic() + 5
        while _is_host(state.pid) and time.monotonic() < deadline:
            time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    """`python -m workers.converter STATE_DIR`: the running hosts, as JSON lines (for operators)."""
    args = argv if argv is not None else sys.argv[1:]
    for state in host_states(Path(args[0] if args else "var/libreoffice")):
        print(json.dumps(state.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main())

