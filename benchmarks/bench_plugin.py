"""What the pytest plugin costs a test suite: start, reset, stop, and the latency of a download.

    python benchmarks/bench_plugin.py [--runs 30] [--requests 300]

Medians (and 90th percentiles) over repeated runs, beside the targets of docs/quality.md (start < 100 ms,
per-test reset < 5 ms, stop < 50 ms). The in-process download (``intercept()``, what ``jaicp_offline`` does) is
shown beside baselines measured in the same run: the same download over the live socket (``jaicp``), and the
app's Flask test client called directly (the in-process floor, without ``responses``/``respx``).
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import requests

from mock_server import state_of
from mock_server.config import parse_config
from mock_server.testing import JaicpMock, LiveServer, build_app, intercept

DAY = "04-03-2026"
AFTER_DAY = "2026-03-05T00:01:00Z"
AUTH = ("analyst", "analyst")
SMALL_DAY_CONFIG = """
[[accounts]]
id = 1234567
plan = "JAICP Business Pro"
plan_since = "2026-01-01T00:00:00Z"
sessions_per_day = 10

[[accounts.projects]]
name = "Demobot"

[[accounts.users]]
login = "analyst"
password = "analyst"
roles = ["RAWLOGS_ANALYTIC"]
"""


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return ms_since(started)


def row(label: str, samples: list[float], target: float | None = None, note: str = "") -> None:
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) >= 10 else max(samples)
    verdict = "" if target is None else f"< {target:g} ms  {'ok' if median < target else 'MISSED'}"
    print(f"  {label:<52} {median:9.3f} ms {p90:9.3f} ms   {verdict:<16} {note}")


def enter_and_leave(manager: contextlib.AbstractContextManager[JaicpMock]) -> None:
    with manager as mock:
        mock.reset()


def measure_lifecycle(runs: int, data_dir: Path) -> None:
    """The session fixtures (jaicp_app, jaicp_server) and the per-test reset of the jaicp fixture."""
    builds, starts, readies, stops, resets, dirty_resets, handles, offline = ([] for _ in range(8))
    http = requests.Session()
    for index in range(runs):
        started = time.perf_counter()
        app = build_app(data_dir=data_dir / f"run{index}")
        builds.append(ms_since(started))
        started = time.perf_counter()
        server = LiveServer(app).start()
        starts.append(ms_since(started))
        started = time.perf_counter()
        http.get(f"{server.url}/_mock/health").raise_for_status()
        readies.append(ms_since(started))
        mock = JaicpMock.of_app(app, server.url)
        for _ in range(5):
            resets.append(timed(mock.reset))
        # A reset after a test that changed things: users, clock, retention, a regeneration, journal entries.
        mock.clock.set(AFTER_DAY)
        mock.add_user("temp", "temp")
        mock.set_cleanup_days(3)
        http.post(mock.regeneration_url(DAY), auth=("admin", "admin"))
        http.get(mock.download_url(DAY), auth=AUTH)
        dirty_resets.append(timed(mock.reset))
        for _ in range(5):
            handles.append(timed(lambda app=app, server=server: JaicpMock.of_app(app, server.url).reset()))
            offline.append(timed(lambda app=app: enter_and_leave(intercept(app=app))))
        stops.append(timed(server.stop))
        state_of(app).close()
    http.close()
    print("live server (session fixtures jaicp_app + jaicp_server):")
    row("build the app and its state (jaicp_app)", builds, note="SQLite on disk, demo config")
    row("start: bind port 0 + serving thread (jaicp_server)", starts, 100)
    row("start + app build", [b + s for b, s in zip(builds, starts, strict=True)], 100)
    row("first request answered after start", readies, note="readiness, no sleeps")
    row("stop: shutdown + join + close", stops, 50)
    print("per-test reset (jaicp / jaicp_offline fixtures):")
    row("reset of an untouched state", resets, 5)
    row("reset after a test changed users/clock/retention", dirty_resets, 5)
    row("whole jaicp set-up: handle + reset", handles, 5)
    row("whole jaicp_offline set-up: intercept in/out + reset", offline, 5, "responses + respx patching")


def measure_latency(count: int) -> None:
    """One small day downloaded again and again: in-process vs the live socket vs the bare test client."""
    config = parse_config(SMALL_DAY_CONFIG, "bench")
    app = build_app(config, now=AFTER_DAY)
    try:
        with LiveServer(app) as server, intercept(app=app) as offline:
            live = JaicpMock.of_app(app, server.url)
            size = len(offline.expected_bytes(DAY))
            rows = len(offline.expected_records(DAY))
            samples: dict[str, list[float]] = {}

            def sample(label: str, fetch: Callable[[], bytes]) -> None:
                assert len(fetch()) == size  # warm-up (the file is generated on first use), and a check
                samples[label] = [timed(fetch) for _ in range(count)]
                offline.reset()
                offline.clock.set(AFTER_DAY)  # keep the journal from growing across the runs

            with requests.Session() as session:
                sample("requests, in-process (jaicp_offline)",
                       lambda: session.get(offline.download_url(DAY), auth=AUTH).content)
                sample("requests, live socket (jaicp), keep-alive session",
                       lambda: session.get(live.download_url(DAY), auth=AUTH).content)
            sample("requests, live socket, new connection each time",
                   lambda: requests.get(live.download_url(DAY), auth=AUTH).content)
            with httpx.Client() as client:
                sample("httpx, in-process (jaicp_offline)",
                       lambda: client.get(offline.download_url(DAY), auth=AUTH).content)
                sample("httpx, live socket (jaicp)", lambda: client.get(live.download_url(DAY), auth=AUTH).content)
            flask_client = app.test_client()
            headers = {"Authorization": requests.auth._basic_auth_str(*AUTH)}
            sample("Flask test client directly (in-process floor)",
                   lambda: flask_client.get(f"/restapi/rawlogs/{DAY}.csv", headers=headers).get_data())
    finally:
        state_of(app).close()
    print(f"download of a small day ({rows} rows, {size / 1024:.1f} KiB), per request:")
    for label, values in samples.items():
        row(label, values)
    base = statistics.median(samples["requests, live socket (jaicp), keep-alive session"])
    inproc = statistics.median(samples["requests, in-process (jaicp_offline)"])
    print(f"  in-process / live socket (requests): {inproc / base:.2f}x the time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="server start/stop cycles (default 30)")
    parser.add_argument("--requests", type=int, default=300, help="downloads per latency sample (default 300)")
    options = parser.parse_args()
    if options.runs < 2 or options.requests < 2:
        parser.error("--runs and --requests take a whole number >= 2")
    print(f"{'':54} {'median':>12} {'p90':>12}   target")
    with tempfile.TemporaryDirectory(prefix="jaicp-bench-") as folder:
        measure_lifecycle(options.runs, Path(folder))
    measure_latency(options.requests)


if __name__ == "__main__":
    main()
