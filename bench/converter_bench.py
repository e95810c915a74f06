"""Warm conversion of one PK: our converter host vs unoserver's own server and client.

    .venv/bin/python bench/converter_bench.py [--n 20]

Starts unoserver's server (under LibreOffice's Python, unoserver from our virtualenv) and our
converter host, warms both, and prints milliseconds per conversion of the same DOCX, twice
(unoserver also without its index update), and the ratio. Why we keep our own host is in
README.md (The converter).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import unoserver  # noqa: E402
from unoserver.client import UnoClient  # noqa: E402

from config.settings import Settings  # noqa: E402
from storage.templates import TemplateRegistry  # noqa: E402
from workers.convert import warm_converter  # noqa: E402
from workers.produce import produce_document  # noqa: E402


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        settings = Settings(data_dir=tmp / "var")
        body = {**json.loads((ROOT / "examples" / "pk-jpt.json").read_text()), "format": "docx"}
        docx = produce_document(body, TemplateRegistry(ROOT / "doctypes"), settings=settings,
                                doc_id="ab" * 16).content
        lib = str(Path(unoserver.__file__).resolve().parent.parent)
        port, uno_port = _port(), _port()
        code = (f"import sys; sys.path.append({lib!r}); from unoserver.server import main; "
                f"sys.argv = ['unoserver', '--port', '{port}', '--uno-port', '{uno_port}', "
                f"'--user-installation', {str(tmp / 'profile')!r}, '--conversion-timeout', '60']; main()")
        server = subprocess.Popen([settings.converter_python, "-c", code], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        ours = warm_converter(settings)
        try:
            client = UnoClient(port=str(port))
            deadline = time.monotonic() + 90
            while True:
                try:
                    client.convert(indata=docx, convert_to="pdf")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            ours.convert(docx)

            def per_conversion(convert) -> float:
                start = time.perf_counter()
                for _ in range(args.n):
                    convert()
                return (time.perf_counter() - start) / args.n * 1000

            for _ in range(2):
                theirs = per_conversion(lambda: client.convert(indata=docx, convert_to="pdf"))
                no_index = per_conversion(lambda: client.convert(indata=docx, convert_to="pdf", update_index=False))
                mine = per_conversion(lambda: ours.convert(docx))
                print(f"one PK, warm, {args.n} conversions: unoserver {theirs:.0f} ms "
                      f"(without its index update {no_index:.0f} ms), our host {mine:.0f} ms "
                      f"-> ratio {theirs / mine:.2f}x")
        finally:
            ours.stop()
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


if __name__ == "__main__":
    main()
