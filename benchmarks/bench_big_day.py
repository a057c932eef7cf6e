"""Big days without waiting: time to first byte and total time of a cold day of about 1,000,000 rows, beside a
warm download of the same file in the same run; then the server's RSS growth while 8 clients stream a cold day.

    python benchmarks/bench_big_day.py [--sessions 170000]

The server runs in a child process on waitress (``mock_server.live.make_server``, 8 threads, as ``jaicp-mock
serve``). Each client reads with a 5 s read timeout (``httpx``'s default), so a cold day that kept its first
byte back while generating would fail here. Targets (issue "The wire as clients meet it"): first byte of the
cold day within 1 s; RSS growth under 50 MB with 8 clients.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests
from accounts import ONE_ACCOUNT  # benchmarks/accounts.py: this script's folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ONE_ACCOUNT
SERVER = """
import sys
from datetime import datetime, UTC
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
from mock_server.live import make_server
app = create_app(parse_config(CONFIG.format(sessions=int(sys.argv[2])), "bench.toml"), data_dir=sys.argv[1],
                 clock=Clock(datetime(2026, 3, 4, 9, tzinfo=UTC), frozen=True))
server = make_server(app, "127.0.0.1", 0, 8)
print(server.effective_port, flush=True)
server.run()
"""
PATH = "/restapi/rawlogs/03-03-2026.csv"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"analyst:analyst").decode()}


def start(data_dir: str, sessions: int) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-c", "CONFIG = " + json.dumps(CONFIG) + "\n" + SERVER, data_dir,
                                str(sessions)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=env, cwd=ROOT)
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


def download(base: str) -> tuple[float, float, int, str, bool]:
    """(seconds to the first body byte, total seconds, bytes, sha256, streamed without Content-Length)."""
    started = time.perf_counter()
    first = None
    digest = hashlib.sha256()
    size = 0
    with requests.get(base + PATH, headers=AUTH, stream=True, timeout=(5, 5)) as response:
        response.raise_for_status()
        for chunk in response.iter_content(256 * 1024):
            if first is None:
                first = time.perf_counter() - started
            digest.update(chunk)
            size += len(chunk)
        streamed = "Content-Length" not in response.headers
    return first or 0.0, time.perf_counter() - started, size, digest.hexdigest(), streamed


def with_peak(server: psutil.Process, clients: int, base: str) -> tuple[list, int]:
    """Run ``clients`` downloads at once; their results and the server's peak RSS meanwhile."""
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(download(base))) for _ in range(clients)]
    peak = server.memory_info().rss
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, server.memory_info().rss)
        time.sleep(0.05)
    return results, peak


def run(sessions: int, clients: int) -> tuple[int, list, int, list, int]:
    """A fresh server: ``clients`` cold downloads, then as many warm ones; (RSS before, cold results, cold
    peak, warm results, warm peak)."""
    with tempfile.TemporaryDirectory(prefix="bench-big-") as folder:
        process, base = start(folder, sessions)
        try:
            server = psutil.Process(process.pid)
            requests.get(base + "/_mock/health", timeout=5)
            before = server.memory_info().rss
            cold, cold_peak = with_peak(server, clients, base)
            warm, warm_peak = with_peak(server, clients, base)
        finally:
            process.terminate()
            process.wait(10)
    assert len({result[3] for result in cold + warm}) == 1, "readers got different bytes"
    return before, cold, cold_peak, warm, warm_peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=170_000, help="sessions of the day (170,000: ~1.1M rows)")
    args = parser.parse_args()
    before, (cold,), cold_peak, (warm,), _ = run(args.sessions, 1)
    print(f"day: {cold[2] / 1e6:.1f} MB (--sessions {args.sessions:,}: about 1.1M rows)")
    print(f"{'':28}{'first byte':>12}{'total':>10}")
    print(f"{'warm download (baseline)':28}{warm[0] * 1000:>9.0f} ms{warm[1]:>9.2f} s")
    print(f"{'cold download':28}{cold[0] * 1000:>9.0f} ms{cold[1]:>9.2f} s   (streamed: {cold[4]}; "
          f"total {cold[1] / warm[1]:.0f}x warm)")
    one = cold_peak - before
    print(f"server RSS growth, 1 client generating the day (baseline): {one / 1e6:.0f} MB")
    before, cold8, peak8, _, warm_peak8 = run(args.sessions, 8)
    print(f"server RSS growth, 8 clients streaming the cold day: {(peak8 - before) / 1e6:.0f} MB "
          f"({(peak8 - before - one) / 1e6:+.0f} MB beside 1 client); 8 warm clients after: "
          f"{(warm_peak8 - before) / 1e6:.0f} MB; slowest first byte {max(r[0] for r in cold8) * 1000:.0f} ms; "
          "every reader the same bytes")




if __name__ == "__main__":
    main()
