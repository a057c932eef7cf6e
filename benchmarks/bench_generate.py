"""Generation speed and memory, beside baselines measured in the same run.

    python benchmarks/bench_generate.py [--rows 1000000] [--baseline-rows 30000]

Prints rows/s of the realistic generator writing CSV (one process, then --workers 2), its peak RSS, and
two baselines: a naive row built from 14 Faker calls written with csv.writer, and csv.writer alone. The
generator runs as installed (its hot modules compiled with mypyc when the install could build them), and once
more from its Python sources (JAICP_MOCK_PURE_PYTHON=1), so the run also says what compiling gained.
Targets: >= 10x the naive baseline on one core; < 150 MB peak RSS for 1M rows; 2 workers >= 1.6x one,
with identical bytes. The machine must be otherwise idle for the wall-clock ratios to mean anything; when it
is not, the per-CPU-second line compares the two sides' own cost, and the CPU seconds line bounds the
two-worker ratio on two free cores.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generators.compiled import PURE_PYTHON_ENV

ROOT = Path(__file__).resolve().parent.parent
ROWS_PER_SESSION = 4.4  # measured average for the account below; the child reports the real count
DAY = "2026-03-04"  # a Wednesday: weekday traffic

_CHILD = """
import json, resource, sys, time
from datetime import date
from generators import AccountSpec, ProjectSpec, write_day_file
from generators.compiled import compiled_modules
account = AccountSpec(1234567, projects=(
    ProjectSpec("Demobot", domain="banking", channels=("telegram", "chatwidget", "resterisk")),
    ProjectSpec("Shop", domain="retail", channels=("vk", "whatsapp"), locale="ru_RU"),
), sessions_per_day=int(sys.argv[1]))
started, cpu_started = time.perf_counter(), time.process_time()
stats = write_day_file(sys.argv[2], account, date.fromisoformat(sys.argv[3]), workers=int(sys.argv[4]))
elapsed, run_cpu = time.perf_counter() - started, time.process_time() - cpu_started
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
rss = max(own.ru_maxrss, children.ru_maxrss)
cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
compiled = len(compiled_modules())
print(json.dumps({"rows": stats.rows, "seconds": elapsed, "peak_rss_mb": rss / 1024, "cpu_seconds": cpu,
                  "run_cpu_seconds": run_cpu, "compiled": compiled}))
"""


def naive_faker_rows(count: int, path: str) -> tuple[float, float]:
    """The baseline: 14 Faker calls per row, written with csv.writer; returns rows/s and rows per CPU second."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(1)
    started, cpu_started = time.perf_counter(), time.process_time()
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, delimiter=";")
        for _ in range(count):
            start = fake.date_time_this_year()
            writer.writerow((
                f"{fake.uuid4()}.{fake.uuid4()}", start.strftime("%d.%m.%Y %H:%M:%S"),
                fake.date_time_this_year().strftime("%d.%m.%Y %H:%M:%S"), fake.random_int(1, 30),
                fake.sentence(nb_words=3), fake.random_element(("Telegram", "Chat widget", "Telephony")),
                fake.user_name(), fake.uuid4(), fake.first_name(), fake.company(),
                start.strftime("%d.%m.%Y %H:%M:%S"), fake.sentence(), fake.sentence(),
                fake.uri_path(), fake.uri_path(), fake.boolean(), "false", "", "",
            ))
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu_started)


def csv_writer_only(count: int, path: str) -> float:
    """csv.writer alone on a fixed realistic row: the ceiling for any generator; returns rows/s."""
    row = ("20a8444a-e1dd-5865-5ee7-b03fcb65e19b.732196de-2de6-455f-b751-e2c9a4700c62", "28.01.2019 17:18:45",
           "28.01.2019 21:18:45", "14", "", "Telegram", "demo_bot",
           "telegram-118460129-demobot-118460129-XLA-160021967-294227430", "John", "Demobot",
           "13.02.2019 13:41:12", "Find the nearest ATM",
           "The nearest ATM is located at the Queens Plaza subway station", "/Menu", "/ATM/Search",
           "false", "false", "", "ATMs")
    started = time.perf_counter()
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        for _ in range(count):
            writer.writerow(row)
    return count / (time.perf_counter() - started)


def run_generator(sessions: int, path: str, workers: int, *, sources: bool = False) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop(PURE_PYTHON_ENV, None)
    if sources:
        env[PURE_PYTHON_ENV] = "1"
    output = subprocess.run([sys.executable, "-c", _CHILD, str(sessions), path, DAY, str(workers)],
                            check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    return json.loads(output)


def digest(path: str) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate, at least (default 1M)")
    parser.add_argument("--baseline-rows", type=int, default=30_000, help="rows for the naive baseline")
    args = parser.parse_args()
    sessions = int(args.rows / ROWS_PER_SESSION) + 1

    with tempfile.TemporaryDirectory(prefix="jaicp-bench-") as folder:
        naive, naive_cpu = naive_faker_rows(args.baseline_rows, os.path.join(folder, "naive.csv"))
        ceiling = csv_writer_only(args.rows // 4, os.path.join(folder, "plain.csv"))
        one = run_generator(sessions, os.path.join(folder, "one.csv"), 1)
        two = run_generator(sessions, os.path.join(folder, "two.csv"), 2)
        pure = run_generator(sessions, os.path.join(folder, "pure.csv"), 1, sources=True)
        one_digest = digest(os.path.join(folder, "one.csv"))
        same = one_digest == digest(os.path.join(folder, "two.csv"))
        same_pure = one_digest == digest(os.path.join(folder, "pure.csv"))

    rate_one = one["rows"] / one["seconds"]
    rate_two = two["rows"] / two["seconds"]
    rate_pure = pure["rows"] / pure["seconds"]
    build = f"{one['compiled']} modules compiled" if one["compiled"] else "pure Python: nothing compiled"
    print(f"rows generated               {one['rows']:>12,}")
    print(f"baseline: naive Faker row    {naive:>12,.0f} rows/s")
    print(f"baseline: csv.writer alone   {ceiling:>12,.0f} rows/s")
    print(f"jaicp-mock, 1 worker         {rate_one:>12,.0f} rows/s  ({rate_one / naive:.1f}x naive)  "
          f"peak RSS {one['peak_rss_mb']:.0f} MB  [{build}]")
    print(f"jaicp-mock, 2 workers        {rate_two:>12,.0f} rows/s  ({rate_two / rate_one:.2f}x 1 worker)  "
          f"peak RSS {two['peak_rss_mb']:.0f} MB per process")
    print(f"jaicp-mock, from the sources {rate_pure:>12,.0f} rows/s  ({rate_pure / naive:.1f}x naive; the build "
          f"{rate_one / rate_pure:.2f}x this)  peak RSS {pure['peak_rss_mb']:.0f} MB")
    print(f"identical bytes, 1 vs 2      {same}")
    print(f"identical bytes, sources     {same_pure}")
    # CPU time does not depend on other jobs the way wall time does: on a shared machine it tells whether
    # two workers lose to their own overhead or only to the cores they did not get.
    print(f"CPU seconds, 1 vs 2 workers  {one['cpu_seconds']:>8.1f} vs {two['cpu_seconds']:.1f}  "
          f"(2 workers at most {2 * one['cpu_seconds'] / two['cpu_seconds']:.2f}x one on two free cores)")
    # Other jobs on the machine take wall time from both sides unevenly (the baseline runs for seconds, the
    # generator for a minute); CPU time is what each side's own code cost.
    rate_cpu = one["rows"] / one["run_cpu_seconds"]  # this process's own time writing the day
    print(f"per CPU second               {rate_cpu:>12,.0f} rows  ({rate_cpu / naive_cpu:.1f}x naive's "
          f"{naive_cpu:,.0f})")
    checks = {
        ">= 10x the naive baseline": rate_one >= 10 * naive,
        "< 150 MB peak RSS": one["peak_rss_mb"] < 150,
        "2 workers >= 1.6x one": rate_two >= rate_one * 1.6,
        "identical bytes for any worker count": same,
        "identical bytes from the sources": same_pure,
    }
    for name, passed in checks.items():
        print(f"  [{'pass' if passed else 'FAIL'}] {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
