"""The control API under ``/_mock/``: what a test harness uses to set the scene.

Health, reset, the clock, accounts and projects (as support or a plan switch would change them), users, the
day files with their status, injected faults, the request journal and the OpenAPI document. Input is checked
field by field; a mistake answers 400 with the envelope, naming the field (``mock.bad_field``,
``mock.unknown_field``).
Access is checked for the whole prefix in :mod:`mock_server.app` (loopback, or the bearer token).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic.alias_generators import to_camel

from generators.schema import file_day, parse_file_day
from mock_server.clock import Clock, format_instant, parse_instant
from mock_server.config import MAX_CLEANUP_DAYS, plan_problem, role_problem
from mock_server.context import current_state
from mock_server.control import views
from mock_server.control.views import MAX_VERSION
from mock_server.errors import ApiError, shown
from mock_server.reporter import api_error_of
from mock_server.reports.content import COLUMNS, report_rows
from mock_server.reports.lifecycle import TaskRecord, progress
from mock_server.reports.models import ErrorEnvelope
from mock_server.reports.service import FAILURE_CODES, ReportError
from mock_server.reports.zones import ZoneError, parse_zone
from mock_server.rules import enabled_at, is_supported_day
from mock_server.state import UNSET, MockState
from mock_server.state.faults import KIND_PARAMS, Fault, fault_problem
from mock_server.urls import CONTROL_PREFIX

FAULT_FIELDS = ("kind", "status", "times", "path", "retry_after", "method", "login", "probability")
FAULT_PARAMS = tuple(sorted({name for names in KIND_PARAMS.values() for name in names} - set(FAULT_FIELDS)))
"""The fault kinds' own parameters (``delay_ms``, ``after_bytes``...)."""

MAX_LISTED_DAYS = 400
DEFAULT_LISTED_DAYS = 30
DEFAULT_JOURNAL_LIMIT = 100

blueprint = Blueprint("control", __name__, url_prefix=CONTROL_PREFIX)


def _body(accepted: tuple[str, ...]) -> dict[str, Any]:
    """The request's JSON object, with only ``accepted`` keys, keyed by their Python (snake_case) names.

    The JSON spells every key in camelCase, as the platform does (``advanceSeconds``, ``retryAfter``).

    JSON has one number type, and JSON Schema (so the OpenAPI document) reads ``5.0`` as the integer 5: a
    whole float is taken as that integer here, so the checks below agree with the document.
    """
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # JSON nested deeper than the parser's recursion limit: malformed for our purposes
        data = None
    if not isinstance(data, dict):
        raise ApiError("mock.bad_json")
    names = {to_camel(name): name for name in accepted}
    for key in data:
        if key not in names:
            raise ApiError("mock.unknown_field", field=shown(str(key)), accepted=", ".join(names))
    return {names[key]: int(value) if isinstance(value, float) and value.is_integer() else value
            for key, value in data.items()}


def _bad_field(field: str, reason: str) -> ApiError:
    """A field's value refused, the field named as the JSON spells it."""
    return ApiError("mock.bad_field", field=to_camel(field), reason=reason)


def _account_id(text: str, state: MockState) -> int:
    known = ", ".join(str(account.id) for account in state.config.accounts)
    if not text.isascii() or not text.isdigit() or len(text) > 16 or int(text) not in state.snapshot().accounts:
        raise ApiError("mock.unknown_account", accountId=shown(text), known=known)
    return int(text)


def _instant_or_none(data: dict, key: str) -> Any:
    if key not in data:
        return UNSET
    value = data[key]
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as error:
        raise _bad_field(key, reason=str(error)) from None


def _days_or_none(data: dict, key: str = "cleanup_days") -> Any:
    if key not in data:
        return UNSET
    value = data[key]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or not 0 <= value <= MAX_CLEANUP_DAYS):
        raise _bad_field(key,
                       reason=f"a whole number of days from 0 to {MAX_CLEANUP_DAYS}, or null for no cleanup")
    return value


def _clock(state: MockState) -> views.Clock:
    return views.Clock(**state.clock.describe())


def _account(state: MockState, account_id: int) -> views.Account:
    snapshot = state.snapshot()
    account = snapshot.accounts[account_id]
    runs = [run for runs in snapshot.regenerations.values() for run in runs]
    return views.account_view(account, list(snapshot.users.values()), runs, enabled_at(account),
                              state.now_of(snapshot))


@blueprint.get("/health")
def health() -> Response:
    state = current_state()
    return jsonify(views.Health(status="ok", now=format_instant(state.now()), clock=_clock(state),
                                    accounts=[account.id for account in state.config.accounts],
                                    config=state.config.source).json())


@blueprint.post("/reset")
def reset() -> Response:
    state = current_state()
    state.reset()
    return jsonify(views.Reset(status="reset", clock=_clock(state)).json())


@blueprint.get("/clock")
def get_clock() -> Response:
    return jsonify(_clock(current_state()).json())


@blueprint.post("/clock")
def set_clock() -> Response:
    """``{"now": ISO | null, "advanceSeconds": N, "frozen": bool}``, applied in that order."""
    data = _body(("now", "advance_seconds", "frozen"))
    if not data:
        raise _bad_field("(body)", reason="give at least one of now, advanceSeconds, frozen")
    clock = current_state().clock
    change_clock(clock, data)
    return jsonify(views.Clock(**clock.describe()).json())


def change_clock(clock: Clock, data: dict[str, Any]) -> None:
    """Apply ``now`` (None: real time), ``advance_seconds`` and ``frozen`` from ``data``, checked field by field
    (ApiError ``mock.bad_field``); the control API and the dashboard's clock forms both come here."""
    moment = _instant_or_none(data, "now")
    seconds = data.get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) \
            or abs(seconds) > 1e11:
        raise _bad_field("advance_seconds", reason="a number of seconds, e.g. 600")
    frozen = data.get("frozen")
    if frozen is not None and not isinstance(frozen, bool):
        raise _bad_field("frozen", reason="true or false")
    start = clock.now() if moment is UNSET else moment
    if start is not None:
        target = _clock_target(start, seconds)
        if target is None:
            raise _bad_field("now" if seconds == 0 else "advance_seconds",
                           reason="the mock clock stays between the years 1900 and 9998")
    clock.apply(now=None if moment is UNSET else moment, real_time=moment is None, advance=seconds, frozen=frozen)


def _clock_target(start: datetime, seconds: float) -> datetime | None:
    """Where the clock would stand, or None when that is outside the days the mock answers for."""
    try:
        target = start + timedelta(seconds=seconds)
    except OverflowError:
        return None
    return target if is_supported_day(target.date()) else None


@blueprint.get("/accounts")
def list_accounts() -> Response:
    state = current_state()
    return jsonify(views.Accounts(accounts=[_account(state, account.id) for account in state.config.accounts]
                                      ).json())


@blueprint.get("/accounts/<account_id>")
def get_account(account_id: str) -> Response:
    state = current_state()
    return jsonify(_account(state, _account_id(account_id, state)).json())


@blueprint.patch("/accounts/<account_id>")
def patch_account(account_id: str) -> Response:
    """``plan``, ``plan_since``, ``rawlogs_enabled_at`` (null disables), ``cleanup_days`` (null: off)."""
    state = current_state()
    target = _account_id(account_id, state)
    data = _body(("plan", "plan_since", "rawlogs_enabled_at", "cleanup_days"))
    plan = data.get("plan", UNSET)
    if plan is not UNSET and plan is not None and (not isinstance(plan, str) or len(plan) > 200):
        raise _bad_field("plan", reason="a plan name such as \"JAICP Business Pro\", or null")
    if isinstance(plan, str) and (problem := plan_problem(plan)):
        raise _bad_field("plan", reason=problem)
    state.update_account(target, plan=plan, plan_since=_instant_or_none(data, "plan_since"),
                         rawlogs_enabled_at=_instant_or_none(data, "rawlogs_enabled_at"),
                         cleanup_days=_days_or_none(data))
    return jsonify(_account(state, target).json())


@blueprint.patch("/accounts/<account_id>/projects/<name>")
def patch_project(account_id: str, name: str) -> Response:
    """``cleanup_days`` of one project; the smallest retention applies to the whole account."""
    state = current_state()
    target = _account_id(account_id, state)
    names = [project.name for project in state.account(target).projects]
    if name not in names:
        raise ApiError("mock.unknown_project", accountId=target, project=shown(name), known=", ".join(names))
    data = _body(("cleanup_days",))
    state.update_project(target, name, cleanup_days=_days_or_none(data))
    return jsonify(_account(state, target).json())


@blueprint.get("/users")
def list_users() -> Response:
    users = current_state().snapshot().users.values()
    return jsonify(views.users_view(list(users)).json())


@blueprint.put("/users/<login>")
def put_user(login: str) -> tuple[Response, int]:
    """Create or replace a user: ``{"password", "account", "roles": [...], "admin": bool}``."""
    state = current_state()
    data = _body(("password", "account", "roles", "admin", "token", "timezone"))
    if ":" in login or not login.strip() or len(login) > 256:
        raise _bad_field("login", reason="a non-empty login without ':' (at most 256 chars)")
    password = data.get("password")
    if not isinstance(password, str):
        raise _bad_field("password", reason="required, a string")
    account = data.get("account")
    if isinstance(account, bool) or not isinstance(account, int) or account not in state.snapshot().accounts:
        known = ", ".join(str(item.id) for item in state.config.accounts)
        raise _bad_field("account", reason=f"required, one of the account ids {known}")
    roles = data.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) and role for role in roles):
        raise _bad_field("roles", reason="a list of role names, e.g. [\"RAWLOGS_ANALYTIC\"]")
    if problem := next(filter(None, map(role_problem, roles)), None):
        raise _bad_field("roles", reason=problem)
    admin = data.get("admin", False)
    if not isinstance(admin, bool):
        raise _bad_field("admin", reason="true or false")
    existed = state.user(login) is not None
    user = state.put_user(login, password, account, roles, admin, *_profile(state, login, data))
    return jsonify(views.user_view(user).json()), 200 if existed else 201


def _profile(state: MockState, login: str, data: dict[str, Any]) -> tuple[Any, Any]:
    """The user's API token and time zone from a PUT body (absent: keep the current ones)."""
    token = data.get("token", UNSET)
    if token is not UNSET and token is not None and (
            not isinstance(token, str) or re.fullmatch(views.TOKEN_PATTERN, token) is None):
        raise _bad_field("token", reason="8 to 256 printable ASCII characters without spaces")
    if isinstance(token, str) and any(user.token == token and user.login != login
                                      for user in state.snapshot().users.values()):
        raise _bad_field("token", reason="another user has this token; a token names one user")
    timezone = data.get("timezone", UNSET)
    if timezone is not UNSET:
        try:
            parse_zone(timezone if isinstance(timezone, str) else "?")
        except ZoneError as error:
            raise _bad_field("timezone", reason=shown(str(error))) from None
    return token, timezone


@blueprint.delete("/users/<login>")
def delete_user(login: str) -> tuple[str, int]:
    if not current_state().delete_user(login):
        raise ApiError("mock.unknown_user", login=shown(login))
    return "", 204


@blueprint.get("/accounts/<account_id>/files")
def list_files(account_id: str) -> Response:
    """Each day from ``from`` to ``to`` (default: the last 30 days) with its status and versions."""
    state = current_state()
    target = _account_id(account_id, state)
    now = state.now()
    end = _query_day("to", now.date())
    start = _query_day("from", end - timedelta(days=DEFAULT_LISTED_DAYS - 1))
    if start > end:
        raise ApiError("mock.bad_query", param="from", reason="must not be after 'to'")
    if (end - start).days >= MAX_LISTED_DAYS:
        raise ApiError("mock.bad_query", param="from", reason=f"list at most {MAX_LISTED_DAYS} days at a time")
    days = [views.day_view(state.day_status(target, start + timedelta(days=offset), now), now)
            for offset in range((end - start).days + 1)]
    return jsonify(views.DayFiles.model_validate(
        {"accountId": target, "now": format_instant(now), "from": file_day(start), "to": file_day(end),
         "days": days}).json())


@blueprint.get("/accounts/<account_id>/expected/<file>")
def expected_file(account_id: str, file: str) -> Response:
    """The exact bytes the server serves (or will serve) for a day and ``version``, whatever their status.

    For a harness that runs the mock remotely and wants to compare what its client stored; generated afresh
    by the same generator call, so it does not merely echo the served file back.
    """
    state = current_state()
    target = _account_id(account_id, state)
    try:
        day = _supported(parse_file_day(file.removesuffix(".csv"))) if file.endswith(".csv") else None
    except ValueError:
        day = None
    if day is None:
        raise _bad_field("date", reason=f"a day as dd-mm-yyyy.csv, got '{shown(file)}'")
    text = request.args.get("version", "1")
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_VERSION:
        raise ApiError("mock.bad_query", param="version", reason=f"a whole number from 1 to {MAX_VERSION}")
    chunks = state.files.expected_chunks(state.config_of(target), day, int(text))  # streamed: bounded memory
    return Response(chunks, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{file_day(day)}.csv"'})


def _query_day(name: str, default: date) -> date:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    for parse in (date.fromisoformat, parse_file_day):
        try:
            return _supported(parse(text))
        except ValueError:
            continue
    raise ApiError("mock.bad_query", param=name,
                   reason=f"a day as YYYY-MM-DD or dd-mm-yyyy (years 1900 to 9998), got {shown(text)}")


def _supported(day: date) -> date:
    if not is_supported_day(day):
        raise ValueError(f"{day} is outside the years 1900 to 9998")
    return day


@blueprint.get("/requests")
def get_requests() -> Response:
    """The journal, oldest first: the last ``limit`` (default 100, at most the capacity) requests."""
    journal = current_state().journal
    text = request.args.get("limit", str(DEFAULT_JOURNAL_LIMIT))
    if not text.isascii() or not text.isdigit() or int(text) > journal.capacity:
        raise ApiError("mock.bad_query", param="limit", reason=f"a whole number from 0 to {journal.capacity}")
    return jsonify(views.journal_view(journal, int(text)).json())


@blueprint.delete("/requests")
def clear_requests() -> tuple[str, int]:
    current_state().journal.clear()
    return "", 204


@blueprint.post("/faults")
def add_fault() -> tuple[Response, int]:
    """``{"status": 429|500|502|503|504, "times": N, "path": "/restapi/...", "retryAfter": S}``: the next N
    requests to ``path`` (default: every platform path) answer ``status``, before authentication."""
    data = _body(FAULT_FIELDS + FAULT_PARAMS)
    return jsonify(views.fault_view(create_fault(current_state(), data)).json()), 201


def create_fault(state: MockState, data: dict[str, Any]) -> Fault:
    """Add the fault ``data`` describes (snake_case keys), checked by the one validator (ApiError
    ``mock.bad_field`` naming the field); the control API and the dashboard's fault form both come here."""
    kind = data.get("kind", "status")
    status: Any = data.get("status")
    times, path, retry_after = data.get("times", 1), data.get("path"), data.get("retry_after")
    matching = {"kind": kind, "method": data.get("method"), "login": data.get("login"),
                "probability": data.get("probability", 1.0)}
    params = {key: value for key, value in data.items()
              if key not in FAULT_FIELDS and key not in ("status", "retry_after") and value is not None}
    problem = fault_problem(status, times, path, retry_after, **matching, params=params)
    if problem is not None:
        raise _bad_field(problem[0], reason=problem[1])
    return state.add_fault(status, times, path, retry_after, **matching, params=params)


@blueprint.get("/faults")
def list_faults() -> Response:
    """The active faults, oldest (first used) first, with their remaining uses."""
    return jsonify(views.Faults(faults=[views.fault_view(fault) for fault in current_state().snapshot().faults]
                                    ).json())


@blueprint.delete("/faults")
def clear_faults() -> tuple[str, int]:
    current_state().clear_faults()
    return "", 204


def remove_fault_named(state: MockState, fault_id: str) -> None:
    """Remove the fault of the id a path gave (ApiError ``mock.unknown_fault`` for any other text); the control
    API and the dashboard's remove buttons both come here."""
    known = fault_id.isascii() and fault_id.isdigit() and len(fault_id) <= 18
    if not known or not state.remove_fault(int(fault_id)):
        raise ApiError("mock.unknown_fault", faultId=shown(fault_id))


@blueprint.delete("/faults/<fault_id>")
def remove_fault(fault_id: str) -> tuple[str, int]:
    remove_fault_named(current_state(), fault_id)
    return "", 204


def report_task(state: MockState, task: TaskRecord, now: datetime) -> views.ReportTask:
    event = state.reports.dto(task, now)
    error = progress(state.reports.rules(task.account_id), task, now).error
    envelope = None if error is None else ErrorEnvelope(**error.envelope())
    return views.ReportTask(task=event, request_id=task.request_id, error=envelope)


@blueprint.get("/reports")
def list_reports() -> Response:
    """Every account's report tasks (DELETED ones too), oldest first; ``account`` narrows to one."""
    state = current_state()
    account = request.args.get("account")
    account_id = None if account is None else _account_id(account, state)
    return jsonify(views.ReportTasks(tasks=report_tasks(state, account_id, state.now())).json())


def report_tasks(state: MockState, account_id: int | None, now: datetime) -> list[views.ReportTask]:
    """Every report task (of one account, or all), DELETED ones too, oldest first, as they stand at ``now``."""
    state.reports.settle(account_id)
    tasks = state.reports.store.tasks(account_id, now, include_deleted=True)
    return [report_task(state, task, now) for task in tasks]


@blueprint.post("/reports/<task_id>/fail")
def fail_report(task_id: str) -> Response:
    """Make a running task FAIL now: ``{"error": "reports.generation_failed" | "reports.too_many_rows",
    "reason": "..."}`` (both optional); 409 when it no longer runs."""
    state = current_state()
    data = _body(("error", "reason"))
    reason = data.get("reason", "injected by the mock's control API")
    if not isinstance(reason, str):
        raise _bad_field("reason", reason="a string")
    now = state.now()
    task = fail_task(state, task_id, data.get("error", FAILURE_CODES[0]), reason, now)
    return jsonify(report_task(state, task, now).json())


def fail_task(state: MockState, task_id: str, code: Any, reason: str, now: datetime) -> TaskRecord:
    """Make a running task FAIL with ``code`` (one of FAILURE_CODES, else ApiError ``mock.bad_field``); 409 when
    it no longer runs. The control API and the dashboard's fail buttons both come here."""
    if code not in FAILURE_CODES:
        raise _bad_field("error", reason=f"one of {', '.join(FAILURE_CODES)}")
    try:
        return state.reports.fail(task_id, now, code, reason)
    except ReportError as refusal:
        raise api_error_of(refusal.problem) from None


@blueprint.get("/reports/<task_id>/rows")
def report_rows_of(task_id: str) -> Response:
    """The rows the task's file holds (whatever its status): what a test compares a download with."""
    state = current_state()
    try:
        task = state.reports.task(None, task_id)
    except ReportError as refusal:
        raise api_error_of(refusal.problem) from None
    query = state.reports.query_of(task)
    rows = [[value.isoformat() if isinstance(value, datetime) else value for value in row]
            for row in report_rows(query)]
    return jsonify(views.ReportRows(columns=[column.title for column in COLUMNS[query.report_type]], rows=rows).json())


@blueprint.delete("/reports")
def clear_reports() -> tuple[str, int]:
    """Forget every report task and file."""
    current_state().reports.clear()
    return "", 204


@blueprint.get("/openapi.json")
def openapi() -> Response:
    from mock_server.openapi import ServerFacts, openapi_document

    state = current_state()
    facts = ServerFacts.of(state.config, state.now().date())
    return jsonify(openapi_document("/", facts))  # relative: no request header is echoed into the document
