"""The platform's Reporter and Async API endpoints: report tasks, their files, and the async events long poll.

Handlers authenticate (``Authorization: Bearer <token>``), parse and translate; the report service
(:mod:`mock_server.reports.service`) decides. Every refusal is the JSON envelope of :mod:`mock_server.errors`.
A file download goes through the raw-log download's :func:`~mock_server.rawlogs.file_response` (HEAD, ETag,
conditional GET and Range behave the same).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, tzinfo
from typing import Any

from flask import Blueprint, Response, jsonify, request

from mock_server.context import RequestInfo, current_state, request_info
from mock_server.errors import ApiError, shown
from mock_server.rawlogs import file_response, request_snapshot
from mock_server.reports.errors import Problem
from mock_server.reports.files import MEDIA_TYPES
from mock_server.reports.lifecycle import file_name
from mock_server.reports.models import AsyncEventsDto, AsyncTaskDto, ReportTasksDto, ReportType
from mock_server.reports.service import ReportError
from mock_server.reports.zones import ZoneError, parse_zone
from mock_server.rules import User
from mock_server.state import MockState
from mock_server.urls import CREATE_PREFIX, EVENTS_PATH, REPORTS_PREFIX

BEARER_CHALLENGE = 'Bearer realm="JAICP"'
MAX_POLL_SECONDS = 30
POLL_INTERVAL = 0.1
"""Real seconds between two looks at a task during a long poll (the mock clock may be running)."""
CREATE_TYPES = {"sessions": ReportType.SESSIONS, "messages": ReportType.MESSAGES, "clients": ReportType.CLIENTS,
                "daily": ReportType.DAILY}

blueprint = Blueprint("reporter", __name__)


def api_error_of(problem: Problem) -> ApiError:
    return ApiError(problem.code, **problem.args)


def _caller(state: MockState, params: tuple[str, ...] = ()) -> tuple[User, RequestInfo, datetime]:
    """The user behind the bearer token (401 otherwise), who must hold the analytics permission (403).

    A query parameter other than ``params`` is a 400: a misspelt ``projectShortName`` must not pass unnoticed.
    """
    info = request_info()
    snapshot = request_snapshot(state, info)
    scheme, _, token = request.environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    user = state.user_by_token(token.strip(), snapshot) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise ApiError("reports.unauthorized", headers={"WWW-Authenticate": BEARER_CHALLENGE})
    info.login = user.login
    if not user.may_report:
        raise ApiError("reports.missing_role", login=user.login)
    unknown = [name for name in request.args if name not in params]
    if unknown:
        raise ApiError("reports.bad_query", param=shown(unknown[0]),
                       reason=f"not a parameter here; accepted: {', '.join(params) or 'none'}")
    assert info.now is not None  # set with the snapshot
    return user, info, info.now


def _zone(user: User) -> tzinfo:
    """The ``Timezone`` header for this request, else the user's profile zone."""
    text = request.headers.get("Timezone")
    try:
        return parse_zone(user.timezone if text is None else text)
    except ZoneError as error:
        raise ApiError("reports.bad_timezone", reason=shown(str(error))) from None


def _base_url() -> str:
    return request.host_url.rstrip("/")


def _service_call(call, *args: Any) -> Any:
    try:
        return call(*args)
    except ReportError as refusal:
        raise api_error_of(refusal.problem) from None


def create(kind: str) -> Response:
    """``POST /api/v1/async/reporter/reports/{sessions|messages|clients|daily}``: answers the request id at once."""
    state = current_state()
    user, info, now = _caller(state, ("projectShortName",))
    zone = _zone(user)
    project = request.args.get("projectShortName") or None
    body = request.get_json(silent=True)
    task = _service_call(state.reports.create, user, info.snapshot, now, CREATE_TYPES[kind], body, zone, project)
    return jsonify(AsyncTaskDto(request_id=task.request_id, request_time=task.created_at).to_json())


for _kind in CREATE_TYPES:  # one route per report type, as the platform's API lists them
    blueprint.add_url_rule(f"{CREATE_PREFIX}/{_kind}", f"create_{_kind}", create, methods=["POST"],
                           defaults={"kind": _kind})


@blueprint.get(REPORTS_PREFIX)
def list_tasks() -> Response:
    state = current_state()
    user, _, now = _caller(state)
    tasks = state.reports.tasks(user.account_id, now)
    answer = ReportTasksDto(tasks=tuple(state.reports.dto(task, now, _base_url()) for task in tasks))
    return jsonify(answer.to_json())


@blueprint.delete(REPORTS_PREFIX)
def delete_completed() -> tuple[str, int]:
    """The COMPLETED tasks are deleted (running ones are left alone)."""
    state = current_state()
    user, _, now = _caller(state)
    state.reports.delete_completed(user.account_id, now)
    return "", 204


@blueprint.delete(f"{REPORTS_PREFIX}/all")
def delete_all() -> tuple[str, int]:
    """Every task is deleted; running ones are stopped first."""
    state = current_state()
    user, _, now = _caller(state)
    state.reports.delete_all(user.account_id, now)
    return "", 204


@blueprint.get(f"{REPORTS_PREFIX}/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    state = current_state()
    user, _, now = _caller(state)
    task = _service_call(state.reports.visible, user.account_id, task_id, now)
    return jsonify(state.reports.dto(task, now, _base_url()).to_json())


@blueprint.delete(f"{REPORTS_PREFIX}/tasks/<task_id>")
def delete_task(task_id: str) -> Response:
    """A running task STOPS (the UI's cancel); a finished one is DELETED. Answers the task as it is now."""
    state = current_state()
    user, _, now = _caller(state)
    task = _service_call(state.reports.delete, user.account_id, task_id, now)
    return jsonify(state.reports.dto(task, now, _base_url()).to_json())


@blueprint.get(f"{REPORTS_PREFIX}/tasks/<task_id>/file", provide_automatic_options=False)
def download(task_id: str) -> Response:
    """``GET|HEAD``: a COMPLETED task's file, through the raw-log download's code (ETag, conditional GET, Range)."""
    state = current_state()
    user, _, now = _caller(state)
    return task_file_response(state, user.account_id, task_id, now)


def task_file_response(state: MockState, account_id: int, task_id: str, now: datetime) -> Response:
    """A COMPLETED task's file (the task list's Download button serves it through here too)."""
    task, path = _service_call(state.reports.file, account_id, task_id, now)
    response = file_response(state.files, path, path.stat().st_size, name=file_name(task), version=1,
                             etag=f"report-{task.task_id}", last_modified=state.reports.finished_moment(task, now))
    response.headers["Content-Type"] = MEDIA_TYPES[task.settings.file_type]
    del response.headers["X-Rawlogs-Version"]
    return response


def _poll_seconds() -> float:
    text = request.args.get("timeout", "0")
    if not text.isascii() or not text.isdigit() or int(text) > MAX_POLL_SECONDS:
        raise ApiError("reports.bad_query", param="timeout",
                       reason=f"whole seconds from 0 to {MAX_POLL_SECONDS}, got '{shown(text)}'")
    return float(text)


@blueprint.get(EVENTS_PATH)
def events() -> Response:
    """The request's event once its task finished (COMPLETED, FAILED or STOPPED); ``[]`` if it still runs.

    Waits up to ``timeout`` real seconds for the task to finish while the mock clock runs; with the clock frozen
    nothing can change by waiting, so it answers at once with what is true now.
    """
    state = current_state()
    user, info, now = _caller(state, ("requestId", "timeout"))
    request_id = request.args.get("requestId", "")
    if not request_id:
        raise ApiError("reports.bad_query", param="requestId", reason="required: the requestId a create answered")
    deadline = time.monotonic() + _poll_seconds()
    while True:
        event = _service_call(state.reports.event, request_id, user.account_id, now, _base_url())
        if event is not None or info.snapshot.clock.frozen or time.monotonic() >= deadline:
            break
        threading.Event().wait(POLL_INTERVAL)
        now = state.now()
    answer = AsyncEventsDto(response=() if event is None else (event,))
    return jsonify(answer.to_json())
