"""Where each endpoint lives: the platform's paths and the control API's prefix, spelled once.

Routes, the fault matcher, the test handle, the banner and the OpenAPI document build their paths from here.
"""

from __future__ import annotations

from datetime import date

from generators.schema import file_day

RAWLOGS_PREFIX = "/restapi/rawlogs"
RUN_PREFIX = f"{RAWLOGS_PREFIX}/run"
CONTROL_PREFIX = "/_mock"
REPORTS_PREFIX = "/api/v1/reporter/reports"
"""The Reporter API's task list; tasks are ``{REPORTS_PREFIX}/tasks/<id>``, created under ``CREATE_PREFIX``."""
CREATE_PREFIX = "/api/v1/async/reporter/reports"
EVENTS_PATH = "/api/v1/async/events"
UI_PREFIX = "/ui"
"""The platform's pages (login, Analytics, the task list), their assets and the JSON they poll."""
LOGIN_PATH = f"{UI_PREFIX}/login"
DASHBOARD_PREFIX = f"{CONTROL_PREFIX}/dashboard"
"""The mock's own dashboard: under the control API's prefix, so its access rule (loopback or token) applies."""
UI_PREFIXES = (UI_PREFIX, DASHBOARD_PREFIX)
"""Paths of the browser UI: a browser's signed session is opened here only; never journaled, never faulted."""


def is_control_path(path: str) -> bool:
    """True for the control API's paths (``/_mock`` and everything under ``/_mock/``)."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def is_ui_path(path: str) -> bool:
    """True for a browser page, its assets and its polling endpoints (see ``UI_PREFIXES``)."""
    return path in UI_PREFIXES or path.startswith(_UI_FOLDERS)


_UI_FOLDERS = tuple(prefix + "/" for prefix in UI_PREFIXES)


def download_path(day: date) -> str:
    """``/restapi/rawlogs/<dd-mm-yyyy>.csv``: a day's file for the caller's account."""
    return f"{RAWLOGS_PREFIX}/{file_day(day)}.csv"


def run_path(account_id: int | str, day: date, query: str = "") -> str:
    """``/restapi/rawlogs/run/<accountId>/<dd-mm-yyyy>``: (re)generate a day."""
    return f"{RUN_PREFIX}/{account_id}/{file_day(day)}{query}"


def report_task_path(task_id: str) -> str:
    return f"{REPORTS_PREFIX}/tasks/{task_id}"



DASHBOARD_HOME = DASHBOARD_PREFIX + "/"


def is_dashboard_path(path: str) -> bool:
    """True for ``/_mock/`` (it sends a browser to the dashboard) and the dashboard's pages, forms, polls and
    assets, which check access themselves (a browser may hold the control token in its session). Also what a
    form may send the browser back to, so nothing that could leave the site passes (``//host``, a backslash)."""
    if not path.isascii() or not path.isprintable() or "//" in path or "\\" in path:
        return False
    return path in (CONTROL_PREFIX + "/", DASHBOARD_PREFIX) or path.startswith(DASHBOARD_HOME)
