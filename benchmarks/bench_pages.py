"""Server-side render time of the browser pages, beside a JSON control-API answer measured in the same run.

    python benchmarks/bench_pages.py [--runs 50] [--tasks 10]

The demo configuration, its clock frozen at 2026-03-04 12:00 UTC, an administrator logged in through the form,
``--tasks`` Session log exports in the task list. Each page of :data:`PAGES` (a name and a path; add a row to
measure another page) is requested ``--runs`` times through Flask's test client, and its median (and 90th
percentile) is printed beside the baseline ``GET /_mock/accounts`` (JSON, no template) through the same client:
the ratio is the page's cost over the app's own per-request floor. Target: every page under 100 ms.

A list page reads its period's days once and keeps the list (see mock_server/reports/browse.py): the first,
cold render of the Dialogs page is shown on its own line, and is not what the target is about.
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable

from flask.testing import FlaskClient

from mock_server import state_of
from mock_server.config import demo_config
from mock_server.testing import build_app

NOW = "2026-03-04T12:00:00Z"
PERIOD = "start=2026-02-26T00:00&end=2026-03-04T15:00"
"""The Dialogs page's default week for the admin (Europe/Moscow), spelled out so every page hits one list."""
PAGES: list[tuple[str, str]] = [
    ("Dialogs, page of 50", f"/ui/analytics/dialogs?{PERIOD}"),
    ("Dialogs, page 20", f"/ui/analytics/dialogs?{PERIOD}&page=20"),
    ("Clients, page of 50", f"/ui/analytics/clients?{PERIOD}"),
    ("task list", "/ui/tasks"),
    ("task list poll (JSON)", "/ui/tasks/status.json"),
    ("dashboard: calendar (Feb + Mar, 59 days)", "/_mock/dashboard/accounts/1234567"),
    ("dashboard: calendar poll (JSON)", "/_mock/dashboard/live/calendar?account=1234567"),
    ("dashboard: a year's calendar (13 months)", "/_mock/dashboard/accounts/1234567?from=2025-03&to=2026-03"),
    ("dashboard: a day (charts, first rows)", "/_mock/dashboard/accounts/1234567/days/03-03-2026"),
    ("dashboard: home", "/_mock/dashboard/"),
    ("dashboard: journal", "/_mock/dashboard/journal"),
]
BASELINE = ("baseline: GET /_mock/accounts", "/_mock/accounts")
TARGET_MS = 100.0


def log_in(client: FlaskClient, login: str = "admin", password: str = "admin") -> None:
    page = client.get("/ui/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    answer = client.post("/ui/login", data={"login": login, "password": password, "csrf_token": token[1]})
    assert answer.status_code == 302, answer.status_code


def start_exports(client: FlaskClient, count: int) -> None:
    page = client.get(f"/ui/analytics/dialogs?{PERIOD}").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    for _ in range(count):
        answer = client.post("/ui/analytics/dialogs/export", data={
            "csrf_token": token[1], "start": "2026-02-26T00:00", "end": "2026-03-04T15:00", "file_type": "XLSX"})
        assert answer.status_code == 302, answer.status_code


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure(client: FlaskClient, path: str, runs: int) -> tuple[float, float]:
    """(median, 90th percentile) in ms of ``runs`` GETs that must answer 200."""
    def get() -> None:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
    times = sorted(timed(get) for _ in range(runs))
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jaicp-bench-pages-") as folder:
        app = build_app(demo_config(), data_dir=folder, now=NOW)
        try:
            client = app.test_client()
            log_in(client)
            cold = timed(lambda: client.get(PAGES[0][1]))
            start_exports(client, args.tasks)
            base, base_p90 = measure(client, BASELINE[1], args.runs)
            print(f"{args.runs} runs each, medians (p90); demo configuration, {args.tasks} exports in the task list")
            print(f"{BASELINE[0]:<40} {base:8.2f} ms ({base_p90:.2f})")
            print(f"{'Dialogs, first render (reads the week)':<40} {cold:8.2f} ms  (once per list; not the target)")
            for name, path in PAGES:
                median, p90 = measure(client, path, args.runs)
                verdict = "ok" if median < TARGET_MS else f"OVER {TARGET_MS:.0f} ms"
                print(f"{name:<40} {median:8.2f} ms ({p90:.2f})  {median / base:6.1f}x baseline  {verdict}")
        finally:
            state_of(app).close()


if __name__ == "__main__":
    main()
