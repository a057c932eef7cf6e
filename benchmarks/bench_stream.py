"""Streaming a big day file: how much the server's memory grows while it sends ~200 MB.

    python benchmarks/bench_stream.py [--megabytes 200] [--data-dir /tmp/jaicp-mock-bench-stream]

The day is generated once (with 2 worker processes; the same bytes as the server would write) into a data
dir that is kept between runs as a cache. A fresh server process (waitress, as ``jaicp-mock serve``) then
serves it; after a warm-up request its RSS is the baseline, its peak RSS is reset (Linux ``clear_refs``) and
read back (``VmHWM``) after one client has streamed the whole file and checked its SHA-256.
Target (docs/quality.md): < 50 MB growth.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAY = date(2026, 3, 3)  # a Tuesday: weekday traffic
CONFIG = """
[[accounts]]
id = 1234567
rawlogs_enabled_at = "2026-01-01T00:00:00Z"
sessions_per_day = {sessions}
[[accounts.projects]]
name = "Demobot"
domain = "banking"
[[accounts.projects]]
name = "Shop"
domain = "retail"
locale = "ru_RU"
channels = ["vk", "whatsapp"]
[[accounts.users]]
login = "analyst"
password = "analyst"
roles = ["RAWLOGS_ANALYTIC"]
"""

_SERVER = """
import sys
from datetime import datetime, UTC
from waitress.server import create_server
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
config = parse_config(sys.argv[1], "bench.toml")
app = create_app(config, data_dir=sys.argv[2], clock=Clock(datetime(2026, 3, 4, 9, tzinfo=UTC), frozen=True))
server = create_server(app, host="127.0.0.1", port=0, threads=4)
print(server.effective_port, flush=True)
server.run()
"""


def sessions_for(megabytes: float) -> int:
    """How many sessions make a day of about ``megabytes``, measured on a small sample."""
    from generators.export import day_bytes
    from mock_server.config import parse_config

    sample = 400
    account = parse_config(CONFIG.format(sessions=sample)).accounts[0]
    size = len(day_bytes(account.spec(), DAY, dialect=account.dialect()))
    return max(1, int(megabytes * 1e6 / (size / sample)))


def ensure_file(config_text: str, data_dir: Path) -> Path:
    """The day's file where the server will look for it, generated on 2 processes if it is not there yet."""
    from generators.export import write_day_file
    from mock_server.config import parse_config
    from mock_server.state.files import FileStore

    config = parse_config(config_text)
    account = config.accounts[0]
    path = FileStore(data_dir / "files", config.seed).path(account, DAY, 1)
    if not path.exists():
        print(f"generating {path.name} ({account.sessions_per_day:,} sessions) once; kept in {data_dir} ...",
              flush=True)
        started = time.perf_counter()
        stats = write_day_file(path, account.spec(), DAY, seed=config.seed, dialect=account.dialect(), workers=2)
        print(f"  {stats.rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main() -> int:
    import requests

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=200, help="size of the day file (default 200)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/jaicp-mock-bench-stream"),
                        help="kept between runs so the day is generated once")
    args = parser.parse_args()

    config_text = CONFIG.format(sessions=sessions_for(args.megabytes))
    path = ensure_file(config_text, args.data_dir)
    size = path.stat().st_size
    expected = sha256_file(path)

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    server = subprocess.Popen([sys.executable, "-c", _SERVER, config_text, str(args.data_dir)], stdout=subprocess.PIPE,
                              text=True, env=env, cwd=ROOT)
    try:
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}/restapi/rawlogs/{DAY:%d-%m-%Y}.csv"
        auth = ("analyst", "analyst")
        with requests.Session() as http:
            assert http.head(url, auth=auth).status_code == 200  # warm up every code path but the body
            http.get(url, auth=auth, headers={"Range": "bytes=0-1023"}).raise_for_status()
            time.sleep(0.2)
            baseline_kb = status_kb(server.pid, "VmRSS")
            peak_reset = True
            try:
                with open(f"/proc/{server.pid}/clear_refs", "w") as refs:
                    refs.write("5")  # reset VmHWM to the current RSS
            except OSError:
                peak_reset = False
            samples = [baseline_kb]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    samples.append(status_kb(server.pid, "VmRSS"))
                    done.wait(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            digest = hashlib.sha256()
            received = 0
            started = time.perf_counter()
            with http.get(url, auth=auth, stream=True) as response:
                response.raise_for_status()
                for chunk in response.iter_content(1 << 20):
                    digest.update(chunk)
                    received += len(chunk)
            elapsed = time.perf_counter() - started
            done.set()
            sampler.join()
            peak_kb = max(max(samples), status_kb(server.pid, "VmHWM") if peak_reset else 0)
    finally:
        server.terminate()
        server.wait(timeout=10)

    growth_mb = (peak_kb - baseline_kb) / 1024
    same = digest.hexdigest() == expected and received == size
    print(json.dumps({"file_mb": round(size / 1e6, 1), "seconds": round(elapsed, 2),
                      "mb_per_s": round(size / 1e6 / elapsed, 1), "server_rss_mb": round(baseline_kb / 1024, 1),
                      "peak_rss_mb": round(peak_kb / 1024, 1), "growth_mb": round(growth_mb, 1),
                      "peak_from": "VmHWM" if peak_reset else "20 ms samples"}))
    print(f"streamed {size / 1e6:,.1f} MB in {elapsed:.1f} s ({size / 1e6 / elapsed:,.0f} MB/s); "
          f"server RSS {baseline_kb / 1024:.1f} MB before, peak {peak_kb / 1024:.1f} MB: growth {growth_mb:.1f} MB")
    checks = {"< 50 MB server memory growth": growth_mb < 50, "whole file, same SHA-256": same}
    for name, passed in checks.items():
        print(f"  [{'pass' if passed else 'FAIL'}] {name}")
    print(f"(day file cached in {args.data_dir}; remove it to regenerate; measured {datetime.now(UTC):%Y-%m-%d})")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
