"""Warehouse-scale generation: the same days on one process, on ``--workers 2`` and on local Dask, as CSV and
as Parquet, beside the one-process run measured in the same run.

    python benchmarks/bench_scale.py [--days 10] [--rows-per-day 1000000] [--workers 2]

Prints, for each engine, rows/s, its ratio to one process, peak RSS per process and CPU seconds; then Parquet
against CSV on one process; checks that every CSV run wrote the same bytes; and projects the hours for
365 days x 5M rows on 1, 16 and 64 cores from the measured per-core rate. Targets on a 2-core machine:
2 workers >= 1.8x one process, Parquet no slower than CSV. Each run is a fresh process (its RSS is its own).
The machine must be otherwise idle for the ratios to mean anything: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS_PER_SESSION = 4.4  # the account below, measured; the child reports the real count
FIRST_DAY = "2026-03-02"  # a Monday: days 1-5 are weekdays, 6-7 a weekend
PROJECTED = (365, 5_000_000)

_CHILD = """
import json, resource, sys, time
from datetime import date
from generators import AccountSpec, ProjectSpec
from generators.engines import auto_chunks, run_job
from generators.partitions import Request
from generators.storage import Output
days, sessions, engine, workers, fmt, folder = sys.argv[1:]
days, workers = int(days), int(workers)
account = AccountSpec(1234567, projects=(
    ProjectSpec("Demobot", domain="banking", channels=("telegram", "chatwidget", "resterisk")),
    ProjectSpec("Shop", domain="retail", channels=("vk", "whatsapp"), locale="ru_RU"),
), sessions_per_day=int(sessions))
chunks = 1 if engine == "dask" else auto_chunks(days, workers)
request = Request(account, date.fromisoformat("{first_day}"), days=days, chunks=chunks)
started = time.perf_counter()
results = run_job(request, Output(folder, format=fmt), engine=engine, workers=workers)
elapsed = time.perf_counter() - started
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
print(json.dumps({{"rows": sum(r.rows for r in results), "seconds": elapsed, "cpu_seconds": cpu,
                  "rss_parent_mb": own.ru_maxrss / 1024, "rss_child_mb": children.ru_maxrss / 1024}}))
"""


def run(days: int, sessions: int, engine: str, workers: int, fmt: str, folder: str) -> dict:
    script = _CHILD.format(first_day=FIRST_DAY)
    out = subprocess.run([sys.executable, "-c", script, str(days), str(sessions), engine, str(workers), fmt, folder],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def digest(folder: str) -> str:
    hasher = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*.csv")):
        hasher.update(path.name.encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def rss(result: dict) -> str:
    child = f", workers {result['rss_child_mb']:.0f} MB" if result["rss_child_mb"] else ""
    return f"main {result['rss_parent_mb']:.0f} MB{child}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--rows-per-day", type=int, default=1_000_000, help="on a weekday (weekends get 60%%)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sessions = round(args.rows_per_day / ROWS_PER_SESSION)
    print(f"{args.days} days from {FIRST_DAY}, {sessions} sessions a weekday (~{args.rows_per_day:,} rows); "
          f"load average before: {os.getloadavg()[0]:.2f}")
    runs = [("one process", "local", 1, "csv"), (f"--workers {args.workers}", "local", args.workers, "csv"),
            (f"local Dask, {args.workers} workers", "dask", args.workers, "csv"),
            ("one process, Parquet", "local", 1, "parquet")]
    results, digests = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        for label, engine, workers, fmt in runs:
            folder = os.path.join(scratch, label.replace(" ", "_").replace(",", ""))
            results[label] = run(args.days, sessions, engine, workers, fmt, folder)
            if fmt == "csv":
                digests[label] = digest(folder)
    base = results["one process"]
    base_rate = base["rows"] / base["seconds"]
    print(f"{'run':<28} {'rows':>11} {'rows/s':>9} {'x one':>6} {'CPU s':>7}  peak RSS per process")
    for label, result in results.items():
        rate = result["rows"] / result["seconds"]
        print(f"{label:<28} {result['rows']:>11,} {rate:>9,.0f} {rate / base_rate:>5.2f}x {result['cpu_seconds']:>7.1f}"
              f"  {rss(result)}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"CSV bytes identical across engines: {len(set(digests.values())) == 1}")
    parquet = results["one process, Parquet"]
    print(f"Parquet vs CSV, one process: {parquet['rows'] / parquet['seconds'] / base_rate:.2f}x the CSV rate "
          f"(target >= 1.0)")
    pool = results[f"--workers {args.workers}"]
    print(f"--workers {args.workers}: {pool['rows'] / pool['seconds'] / base_rate:.2f}x one process (target >= 1.8 "
          f"for 2); CPU bound on free cores: {args.workers * base['cpu_seconds'] / pool['cpu_seconds']:.2f}x")
    days, rows = PROJECTED
    for cores in (1, 16, 64):
        hours = days * rows / (base_rate * cores) / 3600
        print(f"projection: {days} days x {rows:,} rows on {cores:>2} cores at {base_rate:,.0f} rows/s per core: "
              f"{hours:.1f} h")


if __name__ == "__main__":
    main()
