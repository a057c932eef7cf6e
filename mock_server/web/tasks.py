"""The task list: each report export with its progress, a cancel button while it runs, Download once done.

The page and the JSON it polls show the report service's tasks as the Reporter API does (the same ``dto``), with
times in the user's zone; progress moves with the mock clock, so a test moves it by moving the clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, g, jsonify, redirect, render_template, url_for
from werkzeug.wrappers import Response

from mock_server.context import current_state
from mock_server.reporter import api_error_of, task_file_response
from mock_server.reports.lifecycle import RUNNING, TaskRecord, progress
from mock_server.reports.models import ReportType
from mock_server.reports.service import ReportError
from mock_server.urls import UI_PREFIX
from mock_server.web.assets import local_time
from mock_server.web.security import ui_blueprint
from mock_server.web.session import json_user, page_user, request_moment

blueprint = ui_blueprint("tasks", __name__, f"{UI_PREFIX}/tasks")
LABELS = {ReportType.SESSIONS: "Session log", ReportType.MESSAGES: "Messages report",
          ReportType.CLIENTS: "Clients report", ReportType.DAILY: "Daily report"}


def task_row(task: TaskRecord, now: datetime) -> dict[str, Any]:
    """What the list shows of a task (the page renders it, the poll sends it as JSON)."""
    reports = current_state().reports
    dto = reports.dto(task, now)
    error = progress(reports.rules(task.account_id), task, now).error
    completed = dto.file_url is not None
    return {"taskId": dto.task_id, "label": LABELS[dto.report_type], "fileType": dto.settings.file_type.value,
            "created": local_time(dto.creation_time), "status": dto.status.value,
            "running": dto.status in RUNNING, "writeCount": dto.write_count, "totalCount": dto.total_count,
            "project": dto.project_short_name, "fileName": dto.file_name,
            "fileUrl": url_for("tasks.download", task_id=dto.task_id) if completed else None,
            "cancelUrl": url_for("tasks.cancel", task_id=dto.task_id),
            "error": error.message if error is not None else None}


def _rows() -> list[dict[str, Any]]:
    now = request_moment()[1]
    tasks = current_state().reports.tasks(g.user.account_id, now)
    return [task_row(task, now) for task in reversed(tasks)]  # newest first, as the platform lists them


@blueprint.get("")
@page_user
def tasks() -> str:
    return render_template("web/tasks.html", rows=_rows())


@blueprint.get("/status.json")
@json_user
def status() -> Response:
    return jsonify({"tasks": _rows()})


@blueprint.post("/<task_id>/cancel")
@page_user
def cancel(task_id: str) -> Response:
    """Stops a running task (the Reporter API's DELETE of a running task); a finished one is left alone."""
    reports, now = current_state().reports, request_moment()[1]
    try:
        task = reports.visible(g.user.account_id, task_id, now)
        current = reports.dto(task, now).status
        if current not in RUNNING:
            flash(f"The export has already finished ({current.value}); there is nothing to cancel.", "error")
        else:
            reports.delete(g.user.account_id, task_id, now)
            flash(f"{LABELS[task.report_type]} export cancelled.", "notice")
    except ReportError as refusal:
        raise api_error_of(refusal.problem) from None
    return redirect(url_for("tasks.tasks"))


@blueprint.get("/<task_id>/file")
@page_user
def download(task_id: str) -> Response:
    return task_file_response(current_state(), g.user.account_id, task_id, request_moment()[1])
