"""The converter host: one warm LibreOffice, kept by a small supervisor, reached over local HTTP.

Runs under LibreOffice's own Python (``/usr/bin/python3`` with python3-uno), so it imports only
the standard library, ``uno`` and unoserver's converter. Started by workers/converter.py, once
per worker (its *owner*); it:

- starts ``soffice.bin`` listening on a local UNO socket and keeps it warm;
- converts ``POST /convert`` (DOCX in, PDF out), one document at a time, under a timeout;
  a document's indexes (a Word TOC field) are brought up to date first, page numbers included,
  so the PDF shows what Word shows after its update on open;
- kills LibreOffice when a conversion times out or LibreOffice dies, starts a fresh one,
  and retries a crashed conversion once; recycles LibreOffice after N conversions;
- reaps every LibreOffice it started (it is their parent), so none is left a zombie;
- exits, taking LibreOffice with it, when its owner exits (watched through a pidfd) or on
  SIGTERM/SIGINT; LibreOffice also gets SIGKILL from the kernel if the host itself is killed.

It writes its state (pid, port, LibreOffice pid, counts) to a JSON file so clients find it
and tests can kill LibreOffice. Answers: 200 PDF; 422 the document can't be loaded; 504 the
conversion timed out (LibreOffice was restarted); 503 LibreOffice could not be (re)started.

    python3 -I converter_host.py --owner PID --state FILE --profile DIR --soffice BIN
        --libpath DIR [--timeout S] [--recycle-after N] [--startup-timeout S]
        [--preload LIBRARY] [--scratch DIR]

LibreOffice runs with ``--preload`` (a malloc library, such as jemalloc) in LD_PRELOAD, keeps its
temporary files (a copy of every picture it imports) and the host its conversions' files in
``--scratch`` (emptied at start, removed at exit; in memory where the client found room), and
starts with a profile whose word completion collects no words: that idle job walks every
paragraph of every document, for a list nobody types from here. None of these change a PDF.
"""

from __future__ import annotations

import argparse
import ctypes
import http.server
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

log = logging.getLogger("converter-host")

PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Writer/AutoFunction/Completion"><prop oor:name="Enable" oor:op="fuse">\
<value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/AutoFunction/Completion"><prop oor:name="CollectWords" oor:op="fuse">\
<value>false</value></prop></item>
</oor:items>
"""
"""What a fresh LibreOffice profile starts with: word completion off (no idle word collection)."""

RESTART_REQUESTED = 81
"""soffice.bin's exit code after it created a new profile: start it again."""

PR_SET_PDEATHSIG = 1
"""prctl option: the signal a process gets when its parent dies."""


def _die_with_parent() -> None:
    """In LibreOffice's process, before exec: SIGKILL when the host dies, however it dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _soffice_binary(soffice: str) -> str:
    """soffice.bin itself when it sits next to the launcher script: then the pid we hold is
    LibreOffice's own (the launcher forks it off), and the death signal reaches it."""
    found = shutil.which(soffice)
    if found is None:
        raise FileNotFoundError(soffice)
    real = Path(found).resolve()
    binary = real.with_name("soffice.bin")
    return str(binary) if binary.is_file() else str(real)


class Office:
    """One LibreOffice process and the UNO connection to it; restartable."""

    def __init__(self, soffice: str, profile: Path, startup_timeout: float, preload: str = "",
                 scratch: Path | None = None) -> None:
        self.binary = _soffice_binary(soffice)
        self.profile = profile
        self.startup_timeout = startup_timeout
        self.environment = dict(os.environ)
        if preload:
            self.environment["LD_PRELOAD"] = preload
        if scratch is not None:
            self.environment["TMPDIR"] = str(scratch)
        self.process: subprocess.Popen[bytes] | None = None
        self.converter: Any = None
        self.conversions = 0
        self.restarts = 0

    def start(self) -> None:
        from unoserver.converter import UnoConverter  # needs uno: only under LibreOffice's Python

        settings = self.profile / "user" / "registrymodifications.xcu"
        if not settings.exists():  # LibreOffice adds its own to it as it creates the profile
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(PROFILE_SETTINGS, encoding="utf-8")
        port = _free_port()
        accept = f"socket,host=127.0.0.1,port={port},tcpNoDelay=1;urp;StarOffice.ComponentContext"
        self.process = self._launch(accept)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() == RESTART_REQUESTED:
                # A fresh profile: soffice.bin sets it up and asks to be started again (the
                # launcher script would do that for us).
                self.process = self._launch(accept)
            if self.process.poll() is not None:
                raise RuntimeError(f"LibreOffice exited at start (code {self.process.returncode})")
            try:
                self.converter = UnoConverter(interface="127.0.0.1", port=str(port))
                break
            except Exception as exc:  # uno's NoConnectException until LibreOffice listens
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"LibreOffice did not answer within {self.startup_timeout:.0f}s") from exc
                time.sleep(0.1)
        self.conversions = 0
        log.info("LibreOffice %s ready on UNO port %s", self.process.pid, port)

    def _launch(self, accept: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [self.binary, "--headless", "--invisible", "--nocrashreport", "--nodefault", "--nologo",
             "--nofirststartwizard", "--norestore", f"-env:UserInstallation={self.profile.resolve().as_uri()}",
             f"--accept={accept}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=self.environment, preexec_fn=_die_with_parent,
        )

    def kill(self) -> None:
        """SIGKILL and reap: a stuck LibreOffice ignores anything gentler."""
        process, self.process, self.converter = self.process, None, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()

    def restart(self, why: str) -> None:
        log.warning("restarting LibreOffice: %s", why)
        self.kill()
        self.restarts += 1
        self.start()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and self.converter is not None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


INDEX_PASSES = 2
"""Index updates before the export: the first fills the entries and page numbers; if that made
the index longer or shorter, the pages after it moved, and the second pass numbers them again."""


PDF_VERSIONS = {"pdf": 0, "pdfa-2b": 2}
"""writer_pdf_Export's SelectPdfVersion per profile: 0 plain PDF, 2 PDF/A-2b (fonts embedded,
identification in the XMP metadata)."""


def export_pdf(desktop: Any, docx: bytes, profile: str = "pdf", destinations: bool = False,
               timing: dict[str, float] | None = None) -> bytes:
    """The PDF of ``docx``, through the LibreOffice behind ``desktop``: load it hidden, update its
    indexes (only a document that has some pays for that: no refresh, no second pass otherwise),
    export with writer_pdf_Export (as PDF/A-2b for ``profile`` "pdfa-2b"; with ``destinations``
    the document's bookmarks become PDF named destinations, which is how joined documents are
    found again), close; ``timing`` gets the seconds of each step (load, which in a hidden
    document includes the layout; index; export; close). Raises RuntimeError when LibreOffice
    can't load it."""
    import uno
    from com.sun.star.beans import PropertyValue

    with tempfile.TemporaryDirectory(prefix="convert-") as work:
        # LibreOffice loads file URLs only, and those must be absolute (TMPDIR may be relative).
        source, target = Path(work, "document.docx").resolve(), Path(work, "document.pdf").resolve()
        source.write_bytes(docx)
        steps = timing if timing is not None else {}
        began = time.perf_counter()
        document = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(str(source)), "_blank", 0,
            (PropertyValue(Name="Hidden", Value=True), PropertyValue(Name="ReadOnly", Value=True)))
        if document is None:
            raise RuntimeError("LibreOffice could not load the document")
        try:
            if not document.supportsService("com.sun.star.text.TextDocument"):
                raise RuntimeError("the document is not a text document")
            loaded = time.perf_counter()
            steps["load"] = loaded - began
            update_indexes(document)
            indexed = time.perf_counter()
            steps["index"] = indexed - loaded
            options = [PropertyValue(Name="SelectPdfVersion", Value=PDF_VERSIONS[profile])]
            if destinations:
                options.append(PropertyValue(Name="ExportBookmarksToPDFDestination", Value=True))
            filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", tuple(options))
            document.storeToURL(uno.systemPathToFileUrl(str(target)),
                                (PropertyValue(Name="FilterName", Value="writer_pdf_Export"),
                                 PropertyValue(Name="FilterData", Value=filter_data),
                                 PropertyValue(Name="Overwrite", Value=True)))
            steps["export"] = time.perf_counter() - indexed
        finally:
            closing = time.perf_counter()
            document.close(True)
            steps["close"] = time.perf_counter() - closing
        return target.read_bytes()


def update_indexes(document: Any) -> int:
    """Update every index of ``document`` (tables of contents, figures, ...); how many it has."""
    indexes = document.getDocumentIndexes()
    count = int(indexes.getCount())
    for _ in range(INDEX_PASSES if count else 0):
        for position in range(count):
            indexes.getByIndex(position).update()
    return count


class Host:
    """The supervisor: the Office, the state file and the conversion rules."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.scratch = Path(args.scratch) if args.scratch else None
        self.office = Office(args.soffice, Path(args.profile), args.startup_timeout, args.preload, self.scratch)
        self.state_path = Path(args.state)
        self.port = 0
        self.lock = threading.Lock()

    def write_state(self) -> None:
        state = {"pid": os.getpid(), "port": self.port, "owner": self.args.owner,
                 "soffice_pid": self.office.pid, "conversions": self.office.conversions,
                 "restarts": self.office.restarts, "recycle_after": self.args.recycle_after,
                 "scratch": str(self.scratch) if self.scratch else None}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.state_path)

    def _run_with_timeout(self, docx: bytes, profile: str, destinations: bool,
                          timing: dict[str, float] | None = None) -> bytes:
        """The conversion in a thread: if LibreOffice hangs, this thread gives up and kills it
        (which also ends the hung UNO call)."""
        outcome: dict[str, Any] = {}
        desktop = self.office.converter.desktop

        def work() -> None:
            try:
                outcome["pdf"] = export_pdf(desktop, docx, profile, destinations, timing)
            except BaseException as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        thread.join(self.args.timeout)
        if thread.is_alive():
            raise TimeoutError
        if "error" in outcome:
            raise outcome["error"]
        return bytes(outcome["pdf"])

    def convert(self, docx: bytes, profile: str = "pdf", destinations: bool = False,
                timing: dict[str, float] | None = None) -> tuple[int, bytes]:
        """(HTTP status, body) for one document; ``timing`` gets the seconds of its steps and
        LibreOffice's CPU seconds for it ("cpu", which a loaded machine does not inflate)."""
        with self.lock:
            try:
                if not self.office.alive:
                    self.office.restart("it was not running")
                elif self.office.conversions >= self.args.recycle_after:
                    self.office.restart(f"recycled after {self.office.conversions} conversions")
            except Exception as exc:
                log.exception("LibreOffice could not start")
                return 503, f"LibreOffice could not be started: {exc}".encode()
            finally:
                self.write_state()
            for attempt in (1, 2):
                try:
                    cpu = _cpu_seconds(self.office.pid)
                    pdf = self._run_with_timeout(docx, profile, destinations, timing)
                    if timing is not None:
                        timing["cpu"] = _cpu_seconds(self.office.pid) - cpu
                except TimeoutError:
                    self.office.restart(f"a conversion took longer than {self.args.timeout:.0f}s")
                    self.write_state()
                    return 504, f"the conversion took longer than {self.args.timeout:.0f} seconds".encode()
                except RuntimeError as exc:
                    if self.office.alive:  # LibreOffice is fine: this document can't be loaded
                        return 422, str(exc).encode()
                    error: Exception = exc
                except Exception as exc:  # a dead LibreOffice shows as a disposed bridge
                    error = exc
                else:
                    self.office.conversions += 1
                    self.write_state()
                    return 200, pdf
                try:
                    self.office.restart(f"conversion failed ({type(error).__name__}: {error})")
                except Exception as exc:
                    log.exception("LibreOffice could not restart")
                    return 503, f"LibreOffice could not be restarted: {exc}".encode()
                finally:
                    self.write_state()
                log.info("retrying the conversion (attempt %s failed)", attempt)
            return 503, f"LibreOffice failed twice on this document: {error}".encode()

    def shutdown(self, code: int = 0) -> None:
        self.office.kill()
        self.state_path.unlink(missing_ok=True)
        shutil.rmtree(self.office.profile, ignore_errors=True)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        os._exit(code)


def _cpu_seconds(pid: int | None) -> float:
    """User and system CPU seconds ``pid`` has used so far (0 when it can't be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _handler(host: Host) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: bytes, content_type: str, timing: str = "") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if timing:
                    self.send_header("X-Convert-Seconds", timing)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client (a work horse) died meanwhile: nothing to tell

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            params = urllib.parse.parse_qs(query)
            profile = params.get("profile", ["pdf"])[0]
            destinations = params.get("destinations", ["0"])[0] == "1"
            if path != "/convert" or profile not in PDF_VERSIONS:
                self._answer(404, b"unknown path or profile", "text/plain")
                return
            docx = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            timing: dict[str, float] = {}
            status, body = host.convert(docx, profile, destinations, timing)
            self._answer(status, body, "application/pdf" if status == 200 else "text/plain; charset=utf-8",
                         " ".join(f"{step}={seconds:.4f}" for step, seconds in timing.items()))

        def do_GET(self) -> None:
            body = json.dumps({"soffice_pid": host.office.pid, "alive": host.office.alive}).encode()
            self._answer(200, body, "application/json")

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

    return Handler


def _watch_owner(host: Host, owner: int) -> None:
    """Exit with the owner. A pidfd wakes us the moment it exits, parent or not."""
    try:
        fd = os.pidfd_open(owner)
    except ProcessLookupError:
        host.shutdown()
        return
    except OSError:  # kernels without pidfd: poll
        while True:
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                host.shutdown()
            time.sleep(0.5)
    select.select([fd], [], [])
    log.info("owner %s exited: stopping", owner)
    host.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owner", type=int, required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--soffice", default="soffice")
    parser.add_argument("--libpath", default="")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--recycle-after", type=int, default=200)
    parser.add_argument("--startup-timeout", type=float, default=60)
    parser.add_argument("--preload", default="")
    parser.add_argument("--scratch", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s converter-host[%(process)d] %(levelname)s %(message)s")
    if args.libpath:
        sys.path.append(args.libpath)  # unoserver, from the service's own environment
    if args.scratch:
        # What a killed host's LibreOffice left there is of no use to anyone.
        shutil.rmtree(args.scratch, ignore_errors=True)
        try:
            Path(args.scratch).mkdir(parents=True, mode=0o700)
        except OSError:
            args.scratch = ""
    tempfile.tempdir = args.scratch or str(Path(args.profile).parent)
    host = Host(args)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: host.shutdown())
    threading.Thread(target=_watch_owner, args=(host, args.owner), daemon=True).start()
    try:
        import uno  # noqa: F401
    except ImportError:
        print(json.dumps({"error": "LibreOffice's Python UNO bridge (python3-uno) is not installed"}), flush=True)
        sys.exit(3)
    try:
        host.office.start()
    except FileNotFoundError:
        print(json.dumps({"error": f"LibreOffice ('{args.soffice}') is not installed"}), flush=True)
        host.shutdown(3)
    except Exception as exc:
        print(json.dumps({"error": f"LibreOffice could not be started: {exc}"}), flush=True)
        host.shutdown(4)
    server = http.server.HTTPServer(("127.0.0.1", 0), _handler(host))
    host.port = server.server_address[1]
    host.write_state()
    print(json.dumps({"port": host.port, "soffice_pid": host.office.pid}), flush=True)
    # Nobody reads stdout from here on (the starter may be gone): point it at /dev/null.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    server.serve_forever()


if __name__ == "__main__":
    main()
