"""Load test: N concurrent clients against the app's /ask API on 127.0.0.1.

    python bench/load.py [--clients 8] [--seconds 60] [--url http://127.0.0.1:7860]

Without --url it starts `app.py` on a free local port and stops it afterwards. Questions
cycle through the gold set mixed with bad input (empty, huge, HTML, control characters).
Prints throughput, latency percentiles and the error count; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
from gradio_client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.evaluation import load_gold  # noqa: E402
from rag.ui import ENGINE_FAILED  # noqa: E402

BAD_INPUT = ["", "   ", "科普" * 50_000, "<script>alert(1)</script>who leads?", "\x00\x07呼市牵头", "🤖🧓 elderly?",
             "Who leads the elderly action in Suzhou?"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(port: int) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    app = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return app
        except OSError:
            time.sleep(1)
    app.kill()
    raise SystemExit("the app did not start within 300 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--url")
    args = parser.parse_args()

    app = None
    url = args.url
    if not url:
        port = free_port()
        app = start_app(port)
        url = f"http://127.0.0.1:{port}"
    questions = [row["q"] for row in load_gold()] + BAD_INPUT
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.time() + args.seconds

    def client(offset: int) -> None:
        api = Client(url, verbose=False)
        for question in itertools.islice(itertools.cycle(questions), offset, None):
            if time.time() >= stop_at:
                return
            started = time.perf_counter()
            try:
                html = api.predict(question, "", api_name="/ask")
                ok = isinstance(html, str) and html and ENGINE_FAILED not in html
            except Exception as err:  # any failure of a request counts as an error
                ok, html = False, repr(err)
            with lock:
                latencies.append(time.perf_counter() - started)
                if not ok:
                    errors.append(str(html)[:200])

    try:
        began = time.time()
        threads = [threading.Thread(target=client, args=(i * 17,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - began
    finally:
        if app:
            app.terminate()
            app.wait(timeout=30)
    ms = np.array(latencies) * 1000
    print(f"clients {args.clients}, {elapsed:.0f} s, requests {len(latencies)}, "
          f"throughput {len(latencies) / elapsed:.1f} req/s")
    print(f"latency p50 {statistics.median(ms):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms, "
          f"p99 {np.percentile(ms, 99):.0f} ms")
    print(f"errors {len(errors)}")
    for error in errors[:5]:
        print("  ", error)


if __name__ == "__main__":
    main()
