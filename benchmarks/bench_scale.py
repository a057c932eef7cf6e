"""Warehouse-scale generation: the same days on one process, on ``--workers 2`` and on local Dask, as CSV and
as Parquet, beside the one-process run measured in the same run.

    python benchmarks/bench_scale.py [--days 10] [--rows-per-day 1000000] [--workers 2] [--formats-only]

Prints, for each engine (CSV, and the pool writing Parquet), rows/s, its ratio to one process, CPU seconds, rows
per CPU second and peak RSS per process; then Parquet (with a second thread splitting, typing and encoding, the
default, and all in one thread) against CSV, the same days alternating in one process, each as wall-clock rows/s,
CPU per row (all threads) and CPU per row in the generating thread (the job's path when Parquet's encoding thread
has a core of its own), and each writer's CPU per row on top of generation (the first ~100,000 rows of the first
day made apart, a batch at a time, in alternating runs: a figure that does not move with generation's speed);
checks that every CSV run wrote the same bytes; and projects the hours for 365 days x 5M rows on 1, 16 and 64
cores from the measured per-core rate (rows per CPU second of one process). Targets on a 2-core machine: 2 workers
>= 1.8x one process, Parquet no slower than CSV (wall-clock rows/s). Each run is a fresh process (its RSS is its
own). The machine must be otherwise idle for the wall-clock ratios to mean anything: the load average is printed
beside them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS_PER_SESSION = 4.4  # the account below, measured; the child reports the real count
SPLIT_ROWS = 100_000  # about as many rows in the partition whose writers are timed apart from generation
SPLIT_REPEATS = 3  # per format, alternating
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


_FORMATS_CHILD = """
import json, os, sys, time
from datetime import date, timedelta
from generators import AccountSpec, ProjectSpec
from generators.partitions import Partition, day_plan
from generators.storage import Output, OutputObject, write_object
days, sessions, _, _, _, folder = sys.argv[1:]
account = AccountSpec(1234567, projects=(
    ProjectSpec("Demobot", domain="banking", channels=("telegram", "chatwidget", "resterisk")),
    ProjectSpec("Shop", domain="retail", channels=("vk", "whatsapp"), locale="ru_RU"),
), sessions_per_day=int(sessions))
import io
from generators.partitions import write_partition
from generators.tables import write_parquet
# Once a process, timed apart: pyarrow's import and first write (kernels, codecs), then what a process's first
# full day pays on top (likely Arrow's buffers first growing to a row group's size, and the UTF-8 Arrow caches
# on each phrase template, which lives on; not told apart): that day cost Parquet ~1.7 us a row more than the
# next ones, after 2,000 sessions of warm-up still ~0.9, after 10,000 (more than a 32,768-row group) none. So
# the same account writes the day before with 10,000 sessions, in both formats.
cpu = time.process_time()
import dataclasses
warm = Partition(dataclasses.replace(account, sessions_per_day=10_000),
                 date.fromisoformat("{first_day}") - timedelta(days=1))
write_parquet(warm, io.BytesIO())
write_partition(warm, io.BytesIO())
# Parquet with a second thread splitting, typing and encoding (the default), and all in this thread, against
# CSV; each as wall seconds, CPU seconds (both threads) and this thread's CPU seconds (the path the job waits
# for when the encoder has a core of its own).
import functools
writers = {{"csv": None, "parquet, two threads": functools.partial(write_parquet, encode_apart=True),
           "parquet, one thread": functools.partial(write_parquet, encode_apart=False)}}
totals = {{name: [0, 0.0, 0.0, 0.0, 0] for name in writers}}
totals["import_cpu"] = time.process_time() - cpu
names = list(writers)
for offset in range(int(days)):
    part = Partition(account, date.fromisoformat("{first_day}") + timedelta(days=offset))
    day_plan(part)  # planned once, outside every timing
    for name in names[offset % 3:] + names[:offset % 3]:
        fmt = name.split(",")[0]
        target = OutputObject(f"{{folder}}/{{offset}}.{{fmt}}", (part,))
        wall, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
        stats = write_object(target, Output(folder, format=fmt), writers[name])
        for index, spent in enumerate((stats.rows, time.perf_counter() - wall, time.process_time() - cpu,
                                       time.thread_time() - own, os.path.getsize(target.url))):
            totals[name][index] += spent
import itertools
from generators.csvformat import write_csv_rows
from generators.partitions import partition_rows
from generators.tables import BATCH_ROWS, write_parquet_rows

# The partition's rows, made BATCH_ROWS at a time with this thread's CPU of making them added to spent[0] (this
# thread's only: an encoding thread runs meanwhile): what a writer costs beyond that is its own, on rows as
# fresh as in a real run. (Timing the writers on one list of rows made once would favour Arrow: its first pass
# leaves each non-ASCII text's UTF-8 cached on the object.)
def made_apart(part, spent):
    cpu = time.thread_time()
    rows = partition_rows(part)
    while True:
        batch = list(itertools.islice(rows, BATCH_ROWS))
        spent[0] += time.thread_time() - cpu
        if not batch:
            return
        yield batch
        cpu = time.thread_time()

chunks = max(1, round(int(sessions) * {per_session} / {split_rows}))
split = Partition(account, date.fromisoformat("{first_day}"), chunks=chunks)
day_plan(split)
writers = {{"csv": lambda rows, out: write_csv_rows(rows, out, split.dialect, header=True),
           "parquet": functools.partial(write_parquet_rows, encode_apart=True)}}
totals["split"] = {{"csv": [], "parquet": [], "parquet, this thread": [], "generation": []}}
for repeat in range({split_repeats}):
    for fmt in ("csv", "parquet") if repeat % 2 == 0 else ("parquet", "csv"):
        spent, cpu, own = [0.0], time.process_time(), time.thread_time()
        with open(f"{{folder}}/split.{{fmt}}", "wb") as out:
            rows = writers[fmt](itertools.chain.from_iterable(made_apart(split, spent)), out)
        totals["split"][fmt].append((time.process_time() - cpu - spent[0]) / rows)
        if fmt == "parquet":
            totals["split"]["parquet, this thread"].append((time.thread_time() - own - spent[0]) / rows)
        totals["split"]["generation"].append(spent[0] / rows)
totals["split_rows"], totals["split_batch"] = rows, BATCH_ROWS
print(json.dumps(totals))
"""


def run(days: int, sessions: int, engine: str, workers: int, fmt: str, folder: str, child: str = _CHILD) -> dict:
    script = child.format(first_day=FIRST_DAY, per_session=ROWS_PER_SESSION, split_rows=SPLIT_ROWS,
                          split_repeats=SPLIT_REPEATS)
    out = subprocess.run([sys.executable, "-c", script, str(days), str(sessions), engine, str(workers), fmt, folder],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def digest(folder: str) -> str:
    """The folder's CSV files hashed as streams: reading a day of 1M rows whole (470 MB) would grow this process,
    and a child started after that reports this process's size as its own peak (Linux keeps the high-water mark
    of the forked image across exec)."""
    hasher = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*.csv")):
        hasher.update(path.name.encode())
        with path.open("rb") as stream:
            hasher.update(hashlib.file_digest(stream, "sha256").digest())
    return hasher.hexdigest()


def rss(result: dict) -> str:
    child = f", workers {result['rss_child_mb']:.0f} MB" if result["rss_child_mb"] else ""
    return f"main {result['rss_parent_mb']:.0f} MB{child}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--rows-per-day", type=int, default=1_000_000, help="on a weekday (weekends get 60%%)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--formats-only", action="store_true", help="only Parquet against CSV, in one process")
    args = parser.parse_args()
    sessions = round(args.rows_per_day / ROWS_PER_SESSION)
    print(f"{args.days} days from {FIRST_DAY}, {sessions} sessions a weekday (~{args.rows_per_day:,} rows); "
          f"load average before: {os.getloadavg()[0]:.2f}")
    runs = [("one process", "local", 1, "csv"), (f"--workers {args.workers}", "local", args.workers, "csv"),
            (f"local Dask, {args.workers} workers", "dask", args.workers, "csv"),
            (f"--workers {args.workers}, Parquet", "local", args.workers, "parquet")]
    results, digests = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        for label, engine, workers, fmt in [] if args.formats_only else runs:
            folder = os.path.join(scratch, label.replace(" ", "_").replace(",", ""))
            results[label] = run(args.days, sessions, engine, workers, fmt, folder)
            if fmt == "csv":
                digests[label] = digest(folder)
        formats = run(args.days, sessions, "local", 1, "both", os.path.join(scratch, "formats"), _FORMATS_CHILD)
    print_formats(formats)
    if not args.formats_only:
        print_engines(args.workers, results, digests)


def print_formats(formats: dict) -> None:
    csv_rows, csv_wall, csv_cpu, _, _ = formats["csv"]
    print(f"Parquet vs CSV, the same days alternating in one process (planned before all); "
          f"load average {os.getloadavg()[0]:.2f}")
    for name in ("csv", "parquet, two threads", "parquet, one thread"):
        rows, wall, cpu, own, size = formats[name]
        print(f"  {name:<20} {rows / wall:>8,.0f} rows/s ({csv_wall / wall * rows / csv_rows:.3f}x CSV's, target "
              f">= 1), {cpu / rows * 1e6:.2f} CPU us a row ({cpu / rows / (csv_cpu / csv_rows):.3f}x CSV's), "
              f"{own / rows * 1e6:.2f} in this thread, {size / rows:.0f} B a row")
    print(f"  pyarrow's import and a warm-up day in both formats took {formats['import_cpu']:.2f} CPU s before, once")
    split = {name: statistics.median(costs) * 1e6 for name, costs in formats["split"].items()}
    print(f"per-row cost on top of generation (CPU, median of {SPLIT_REPEATS} alternating runs on the first "
          f"{formats['split_rows']:,} rows of the first day, made {formats['split_batch']:,} at a time, apart): "
          f"CSV {split['csv']:.2f} us, Parquet {split['parquet']:.2f} us ({split['parquet'] / split['csv']:.2f}x "
          f"CSV's; two threads), of which {split['parquet, this thread']:.2f} us in the generating thread "
          f"({split['parquet, this thread'] / split['csv']:.2f}x CSV's); "
          f"generating a row {split['generation']:.1f} us")


def print_engines(workers: int, results: dict, digests: dict) -> None:
    base = results["one process"]
    base_rate = base["rows"] / base["seconds"]
    print(f"{'run':<28} {'rows':>11} {'rows/s':>9} {'x one':>6} {'CPU s':>7} {'rows/CPU s':>10}  peak RSS per process")
    for label, result in results.items():
        rate = result["rows"] / result["seconds"]
        print(f"{label:<28} {result['rows']:>11,} {rate:>9,.0f} {rate / base_rate:>5.2f}x {result['cpu_seconds']:>7.1f}"
              f" {result['rows'] / result['cpu_seconds']:>10,.0f}  {rss(result)}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"CSV bytes identical across engines: {len(set(digests.values())) == 1}")
    pool = results[f"--workers {workers}"]
    print(f"--workers {workers}: {pool['rows'] / pool['seconds'] / base_rate:.2f}x one process (target >= 1.8 "
          f"for 2); CPU bound on free cores: {workers * base['cpu_seconds'] / pool['cpu_seconds']:.2f}x")
    parquet = results[f"--workers {workers}, Parquet"]
    print(f"--workers {workers}, Parquet: "
          f"{pool['seconds'] / parquet['seconds']:.2f}x the CSV pool's rows/s, "
          f"{pool['cpu_seconds'] / parquet['cpu_seconds']:.2f}x its rows per CPU second")
    days, rows = PROJECTED
    per_core = base["rows"] / base["cpu_seconds"]  # what one free core does; wall-clock rates drop under load
    for cores in (1, 16, 64):
        hours = days * rows / (per_core * cores) / 3600
        print(f"projection: {days} days x {rows:,} rows on {cores:>2} cores at {per_core:,.0f} rows per CPU second "
              f"a core: {hours:.1f} h")


if __name__ == "__main__":
    main()
