"""Per-PK render time, ours vs plain docxtpl, and end-to-end time for one document.

    .venv/bin/python bench/render_bench.py [--n 200] [--e2e 20]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from sakip.envelope import parse_document_request  # noqa: E402
from storage.templates import TemplateRegistry  # noqa: E402
from workers.render import _inline_images, draw_charts, render_prepared  # noqa: E402


def _body(name: str) -> dict:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text(), parse_float=Decimal)


def _ours(template, body: dict) -> bytes:
    """Our path per document: validate, build the context, render the prepared template."""
    valid = parse_document_request(body)
    return render_prepared(template.content, template.sha256, valid.doctype.context(valid.data), template.paper)


def _plain(template: bytes, context: dict) -> bytes:
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(_inline_images(context, doc), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _time(fn, n: int) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def render_bench(n: int) -> None:
    registry = TemplateRegistry(ROOT / "doctypes")
    print(f"per-document render, n={n} per path (PK: ours = validate + context + prepared render, plain = "
          "docxtpl render + save of the prepared context; LKjIP: both render the same context, charts drawn)")
    print(f"{'example':22} {'plain docxtpl ms':>18} {'ours ms':>10} {'speed-up':>9}")
    for name in ("pk-jpt", "pk-administrator", "pk-kepala-daerah", "lkjip-opd"):
        body = _body(name)
        body["format"] = "docx"
        template = registry.get(body["type"])
        valid = parse_document_request(body)
        # Charts drawn once for both paths: plain docxtpl is given the same pictures.
        context = draw_charts(valid.doctype.context(valid.data))
        rounds = max(1, n // 20) if body["type"] == "pk" else max(1, n // 100)
        # Interleaved so both paths see the same machine state.
        plain, ours = [], []
        for _ in range(rounds):
            plain += _time(lambda c=context, t=template: _plain(t.content, c), 20 if body["type"] == "pk" else 5)
            if body["type"] == "pk":
                ours += _time(lambda b=body, t=template: _ours(t, b), 20)
            else:  # charts drawn once for both paths (drawing them is the same matplotlib work either way)
                ours += _time(lambda c=context, t=template: render_prepared(t.content, t.sha256, c, t.paper), 5)
        p, o = statistics.median(plain), statistics.median(ours)
        print(f"{name:22} {p:18.2f} {o:10.2f} {p / o:8.2f}x")


def e2e_bench(count: int) -> None:
    from config.settings import Settings
    from service.app import create_app
    from storage.redis_server import RedisServer

    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp) / "redis").start()
        env = dict(os.environ, DOCGEN_REDIS_URL=redis.url, DOCGEN_DATA_DIR=str(Path(tmp) / "var"))
        worker = subprocess.Popen([sys.executable, "-m", "workers"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client = create_app(Settings(redis_url=redis.url, data_dir=Path(tmp) / "var")).test_client()
            body = (ROOT / "examples" / "pk-jpt.json").read_bytes()
            samples = []
            for i in range(count + 1):
                start = time.perf_counter()
                doc_id = client.post("/api/v1/documents", data=body, content_type="application/json").json["id"]
                while client.get(f"/api/v1/documents/{doc_id}").json["status"] not in ("finished", "failed"):
                    time.sleep(0.002)
                if i:  # the first one waits for the worker to start
                    samples.append((time.perf_counter() - start) * 1000)
            print(f"end to end, one PK docx (POST -> finished), n={count}: "
                  f"median {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms")
        finally:
            worker.terminate()
            worker.wait()
            redis.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--e2e", type=int, default=20)
    args = parser.parse_args()
    render_bench(args.n)
    e2e_bench(args.e2e)


if __name__ == "__main__":
    main()
