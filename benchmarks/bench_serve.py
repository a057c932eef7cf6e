"""Serving speed: authenticated small-file downloads per second, beside a bare Flask route on the same server.

    python benchmarks/bench_serve.py [--seconds 4] [--clients 4] [--rounds 3]

The server runs in a child process on waitress (8 threads, as ``jaicp-mock serve`` runs; loopback only):
either the mock (basic auth, the availability rules, the file sent by Werkzeug with ETag/Last-Modified, the
access log and the request journal) or a bare Flask app whose one route returns the same bytes from memory.
The same client load hits both: ``--clients`` processes, each on one keep-alive connection, sending the same
Authorization header, for ``--seconds`` per round; rounds alternate mock and bare, and the median is kept.
On Linux with 2+ CPUs the server is pinned to one CPU and the clients to the others, so the server is what is
measured (unpinned, on a small machine, the scheduler's choices move single rounds by +-10%).
Target (docs/quality.md): the mock reaches >= 70% of the bare route's requests/s.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from accounts import ONE_ACCOUNT  # benchmarks/accounts.py: this script's folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-03-03"
URL_DAY = "03-03-2026"
LOGIN, PASSWORD = "analyst", "analyst"
THREADS = 8
"""waitress worker threads: the default of `jaicp-mock serve` (mock_server.serve.DEFAULT_THREADS)."""
CONFIG = ONE_ACCOUNT

_SERVER = """
import sys
from datetime import date, datetime, UTC
from flask import Flask, Response
from waitress.server import create_server
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
mode, data_dir, sessions, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[5])
quiet = sys.argv[4] == "quiet"
config = parse_config(CONFIG.format(sessions=sessions), "bench.toml")
from mock_server.access import AccessLog
from mock_server import state_of
access = None if quiet else AccessLog(sys.stderr)  # the access log as `jaicp-mock serve` writes it (discarded here)
mock = create_app(config, data_dir=data_dir, clock=Clock(datetime(2026, 3, 4, 9, tzinfo=UTC), frozen=True),
                  access_log_sink=access)
state = state_of(mock)
data = state.file_path(1234567, date(2026, 3, 3), 1).read_bytes()
if mode == "bare":
    app = Flask("bare")
    @app.get("/restapi/rawlogs/<name>")
    def bare(name):
        return Response(data, mimetype="text/csv")
else:
    app = mock
server = create_server(app, host="127.0.0.1", port=0, threads=threads)
print(server.effective_port, len(data), flush=True)
server.run()
"""


def pin(cpus: set[int] | None) -> None:
    """Keep this process on ``cpus`` (Linux), so server and clients do not take each other's core at random."""
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cpus)


def cpu_split() -> tuple[set[int] | None, set[int] | None]:
    """The server gets CPU 0, the clients the others; None when there is only one CPU (or no affinity API)."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, set(cpus[1:])


def client(port: int, seconds: float, path: str, size: int, results, cpus: set[int] | None = None) -> None:
    """One keep-alive connection, requests back to back until the time is up; puts the count."""
    pin(cpus)
    header = {"Authorization": "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection.request("GET", path, headers=header)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or len(body) != size:
            raise SystemExit(f"unexpected answer {response.status}, {len(body)} bytes")
        count += 1
    connection.close()
    results.put(count)


def start_server(mode: str, data_dir: str, sessions: int, quiet: bool,
                 threads: int = THREADS) -> tuple[subprocess.Popen, int, int]:
    code = "CONFIG = " + json.dumps(CONFIG) + "\n" + _SERVER
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    server_cpus, _ = cpu_split()
    process = subprocess.Popen([sys.executable, "-c", code, mode, data_dir, str(sessions),
                                "quiet" if quiet else "log", str(threads)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
                               preexec_fn=(lambda: pin(server_cpus)) if server_cpus else None)
    port, size = (int(part) for part in process.stdout.readline().split())
    return process, port, size


def measure(mode: str, data_dir: str, sessions: int, clients: int, seconds: float, quiet: bool,
            threads: int = THREADS) -> tuple[float, int]:
    process, port, size = start_server(mode, data_dir, sessions, quiet, threads)
    try:
        path = f"/restapi/rawlogs/{URL_DAY}.csv"
        results = multiprocessing.Queue()
        warm = multiprocessing.Process(target=client, args=(port, 0.5, path, size, results))
        warm.start()
        warm.join()
        results.get()
        _, client_cpus = cpu_split()
        workers = [multiprocessing.Process(target=client, args=(port, seconds, path, size, results, client_cpus))
                   for _ in range(clients)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        total = sum(results.get() for _ in workers)
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        return total / elapsed, size
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one measurement (default 4)")
    parser.add_argument("--clients", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median counts (default 3)")
    parser.add_argument("--sessions", type=int, default=12, help="sessions in the day: its size (default 12)")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"waitress threads (default {THREADS})")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jaicp-bench-serve-") as data_dir:
        rates: dict[str, list[float]] = {"bare": [], "mock": [], "mock --quiet": []}
        size = 0
        for _ in range(args.rounds):
            for label in rates:
                mode = "bare" if label == "bare" else "mock"
                rate, size = measure(mode, data_dir, args.sessions, args.clients, args.seconds,
                                     label.endswith("quiet"), args.threads)
                rates[label].append(rate)
    bare = statistics.median(rates["bare"])
    server_cpus, client_cpus = cpu_split()
    placement = (f"server pinned to CPU {sorted(server_cpus)}, clients to {sorted(client_cpus)}" if server_cpus
                 else "no CPU pinning")
    print(f"file size                          {size:>10,} bytes  ({args.clients} keep-alive clients, "
          f"waitress {args.threads} threads, {args.rounds} x {args.seconds:g} s, {os.cpu_count()} CPUs, {placement})")
    print(f"baseline: bare Flask route         {bare:>10,.0f} req/s")
    ok = True
    for label in ("mock", "mock --quiet"):
        rate = statistics.median(rates[label])
        ratio = rate / bare
        note = "access log on, as `serve` runs" if label == "mock" else "no access log"
        print(f"jaicp-mock download ({note:<30}) {rate:>8,.0f} req/s  ratio {ratio:.2f}")
        if label == "mock":
            ok = ratio >= 0.7
    print(f"  [{'pass' if ok else 'FAIL'}] authenticated download >= 70% of the bare route")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
