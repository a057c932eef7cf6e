"""The dashboard's pages (GET): what each shows is built by one function per part, and a live part's poll
(``/_mock/dashboard/live/<part>``) renders the same part with the same function, so a page and its refresh agree.

Every number comes from the state and the services the control API reads: the rules decide a day's status,
the report service a task's progress, the journal is the one the API serves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from flask import jsonify, redirect, render_template, request, url_for
from flask.wrappers import Response

from generators.schema import COLUMN_NAMES, file_day, parse_file_day
from mock_server.clock import format_instant
from mock_server.context import current_state
from mock_server.control.routes import DEFAULT_JOURNAL_LIMIT, FAULT_PARAMS, report_tasks
from mock_server.dashboard.calendar import MAX_MONTHS, STATUS_NAMES, calendar_day, describe, month_calendar
from mock_server.dashboard.charts import channel_chart, hourly_chart
from mock_server.dashboard.daydata import summarize
from mock_server.errors import ApiError, shown
from mock_server.reports.lifecycle import RUNNING
from mock_server.rules import enabled_at, is_supported_day
from mock_server.state import MockState
from mock_server.state.faults import FAULT_STATUSES, KIND_PARAMS, METHODS, PARAM_DEFAULTS
from mock_server.urls import CONTROL_PREFIX
from mock_server.web.security import ui_blueprint

CALENDAR_DAYS = 30
"""The calendar shows the months of the last this many days unless asked for others."""

blueprint = ui_blueprint("dashboard", __name__, CONTROL_PREFIX, template_folder="templates", static_folder="static",
                         static_url_path="/dashboard/static")


def instant(moment: datetime | None) -> str:
    """How the dashboard writes a moment: UTC, the zone of the platform's schedule and of the raw-log files."""
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@blueprint.app_template_filter("instant")
def _instant_filter(moment: datetime | None) -> str:
    return instant(moment)


@blueprint.app_template_filter("iso")
def _iso_filter(moment: datetime) -> str:
    return format_instant(moment)


@blueprint.app_template_filter("file_day")
def _file_day_filter(day: date) -> str:
    return file_day(day)


@blueprint.app_template_filter("countdown")
def countdown(ready_at: datetime, now: datetime) -> str:
    """``mm:ss`` (``h:mm:ss`` past an hour) from ``now`` to ``ready_at``; the page's script keeps it ticking."""
    seconds = max(0, int((ready_at - now).total_seconds() + 0.999))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


ADVANCES = {"60": "1 min", "600": "10 min", "86400": "1 day"}
"""The steps the clock's buttons move it by (seconds: label)."""


@blueprint.context_processor
def _dashboard_globals() -> dict[str, Any]:
    state = current_state()
    return {"status_names": STATUS_NAMES,
            "advances": ADVANCES, "state_accounts": [account.id for account in state.config.accounts],
            **clock_part(state, {})}


# -- the parts ---------------------------------------------------------------------------------------------------

def clock_part(state: MockState, args: Mapping[str, str]) -> dict[str, Any]:
    settings = state.snapshot().clock
    return {"now": state.now(), "frozen": settings.frozen, "real": settings.is_real}


def accounts_part(state: MockState, args: Mapping[str, str]) -> dict[str, Any]:
    snapshot = state.snapshot()
    now = state.now_of(snapshot)
    accounts = []
    for account in snapshot.accounts.values():
        users = sorted((user for user in snapshot.users.values() if user.account_id == account.id),
                       key=lambda user: user.login)
        start = enabled_at(account)
        accounts.append({"account": account, "enabled_from": start, "enabled": start is not None and start <= now,
                         "retention": account.retention_history[-1].days, "users": users})
    return {"accounts": accounts}


def _month(name: str, text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = None
    if first is None or not text.isascii() or not is_supported_day(first):
        raise ApiError("mock.bad_query", param=name, reason=f"a month as YYYY-MM (e.g. 2026-03), got {shown(text)}")
    return first


def account_of(state: MockState, text: str) -> int:
    if text.isascii() and text.isdigit() and len(text) <= 16 and int(text) in state.snapshot().accounts:
        return int(text)
    raise ApiError("mock.unknown_account", accountId=shown(text),
                   known=", ".join(str(account.id) for account in state.config.accounts))


def calendar_part(state: MockState, args: Mapping[str, str]) -> dict[str, Any]:
    """``account``, and ``from``/``to`` as YYYY-MM (default: the months of the last 30 days)."""
    snapshot = state.snapshot()
    now = state.now_of(snapshot)
    account_id = account_of(state, args.get("account", ""))
    last = _month("to", args.get("to"), now.date().replace(day=1))
    first = _month("from", args.get("from"), min(last, (now.date() - timedelta(days=CALENDAR_DAYS - 1)).replace(day=1)))
    try:
        months = month_calendar(snapshot.accounts[account_id], first, last, now, state.policy, snapshot.regenerations)
    except ValueError as error:
        raise ApiError("mock.bad_query", param="from", reason=str(error)) from None
    shown_range = {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}
    return {"account_id": account_id, "months": months, "now": now, "describe": lambda day: describe(day, instant),
            "range": shown_range, "back": url_for("dashboard.calendar", account=account_id, **shown_range)}  # type: ignore[arg-type]


def reports_part(state: MockState, args: Mapping[str, str]) -> dict[str, Any]:
    return {"tasks": report_tasks(state, None, state.now()), "running": RUNNING}


def journal_part(state: MockState, args: Mapping[str, str]) -> dict[str, Any]:
    entries = state.journal.entries(DEFAULT_JOURNAL_LIMIT)
    return {"entries": entries[::-1], "total": state.journal.total}


def faults_part(state: MockState, args: Mapping[str, str]) -> dict[str, Any]:
    return {"faults": state.snapshot().faults}


Part = Callable[[MockState, Mapping[str, str]], dict[str, Any]]
LIVE_PARTS: dict[str, tuple[str, Part]] = {
    "clock": ("dashboard/_clock.html", clock_part),
    "calendar": ("dashboard/_calendar.html", calendar_part),
    "reports": ("dashboard/_reports.html", reports_part),
    "journal": ("dashboard/_journal.html", journal_part),
    "faults": ("dashboard/_faults.html", faults_part),
}
"""The parts a page refreshes by polling: their fragment template and the function that fills it."""


@blueprint.get("/dashboard/live/<part>")
def live(part: str) -> Response:
    """A live part as JSON for the pages' polling helper: its markup (the template the page includes, escaped
    as on the page) and the mock clock's now, from which the page's countdowns tick until the next poll."""
    if part not in LIVE_PARTS:
        raise ApiError("mock.not_found", path=shown(request.path))
    template, fill = LIVE_PARTS[part]
    state = current_state()
    clock = clock_part(state, {})
    return jsonify(html=render_template(template, **fill(state, request.args)), now=format_instant(clock["now"]),
                   frozen=clock["frozen"])


# -- the pages ---------------------------------------------------------------------------------------------------

@blueprint.get("/")
def control_home() -> Response:
    """``/_mock/`` in a browser: the dashboard."""
    return redirect(url_for("dashboard.home"), 302)  # type: ignore[return-value]


@blueprint.get("/dashboard/")
def home() -> str:
    state = current_state()
    return render_template("dashboard/home.html", **accounts_part(state, {}), faults=state.snapshot().faults,
                           journal_total=state.journal.total)


@blueprint.get("/dashboard/accounts/<account>")
def calendar(account: str) -> str:
    state = current_state()
    part = calendar_part(state, {**request.args, "account": account})
    return render_template("dashboard/calendar.html", **part, **accounts_part(state, {}), max_months=MAX_MONTHS)


def day_of(text: str) -> date:
    try:
        day = parse_file_day(text)
    except ValueError:
        day = None
    if day is None or not is_supported_day(day):
        raise ApiError("mock.bad_query", param="date", reason=f"a day as dd-mm-yyyy, got {shown(text)}")
    return day


@blueprint.get("/dashboard/accounts/<account>/days/<day>")
def day_view(account: str, day: str) -> str:
    """One day: its status and versions; for a served version, its first rows and its traffic as charts."""
    state = current_state()
    account_id, moment = account_of(state, account), day_of(day)
    snapshot = state.snapshot()
    now = state.now_of(snapshot)
    cell = calendar_day(snapshot.accounts[account_id], moment, now, state.policy, snapshot.regenerations)
    ready = [version.number for version in cell.versions if version.generated_at <= now]
    chosen = _version(request.args.get("version"), ready, cell.version)
    summary = None if chosen is None else summarize(state.file_path(account_id, moment, chosen))
    charts = None if summary is None else (hourly_chart(summary.hourly), channel_chart(summary.channels))
    return render_template("dashboard/day.html", account_id=account_id, cell=cell, now=now,
                           description=describe(cell, instant), version=chosen, ready=ready, summary=summary,
                           charts=charts, file_day=file_day(moment), columns=COLUMN_NAMES)


def _version(text: str | None, ready: list[int], served: int | None) -> int | None:
    """The version the day's view reads: ``?version=`` when it is out, else the one a download gets."""
    if text is None or text == "":
        return served
    if text.isascii() and text.isdigit() and int(text) in ready:
        return int(text)
    raise ApiError("mock.bad_query", param="version",
                   reason=f"one of the versions out now ({', '.join(map(str, ready)) or 'none'}), got {shown(text)}")


@blueprint.get("/dashboard/faults")
def faults() -> str:
    return render_template("dashboard/faults.html", **faults_part(current_state(), {}), statuses=FAULT_STATUSES,
                           kinds=KIND_PARAMS, methods=METHODS, defaults=PARAM_DEFAULTS, params=FAULT_PARAMS)


@blueprint.get("/dashboard/reports")
def reports() -> str:
    return render_template("dashboard/reports.html", **reports_part(current_state(), {}))


@blueprint.get("/dashboard/journal")
def journal() -> str:
    return render_template("dashboard/journal.html", **journal_part(current_state(), {}))
