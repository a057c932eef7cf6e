"""The report tasks' errors: one table of codes, statuses and messages, in the shape of mock_server.errors.

Kept apart until the Reporter API endpoints are wired; then these rows join ``mock_server.errors.ERRORS`` as
they are (same :class:`ErrorSpec`, same ``{"error", "message", "args"}`` envelope).
"""

from __future__ import annotations

import collections
import string
from dataclasses import dataclass
from typing import Any

from mock_server.errors import ErrorSpec

REPORT_ERRORS: dict[str, ErrorSpec] = {
    # Authentication and authorization.
    "reports.unauthorized": ErrorSpec(
        401, "Send the account's API token as 'Authorization: Bearer <token>'."),
    "reports.missing_role": ErrorSpec(
        403, "User {login} lacks the analytics permission needed to export reports; the account administrator "
             "can grant it."),
    # The request body.
    "reports.bad_json": ErrorSpec(
        400, "Send a JSON object in the body with Content-Type: application/json."),
    "reports.missing_field": ErrorSpec(
        400, "{field} is required."),
    "reports.unknown_field": ErrorSpec(
        400, "{field} is not an accepted field; accepted here: {accepted}."),
    "reports.bad_field": ErrorSpec(
        400, "{field}: {reason}"),
    "reports.unknown_filter_key": ErrorSpec(
        400, "{field}: unknown filter key '{value}'; supported keys: {accepted}."),
    "reports.unknown_filter_type": ErrorSpec(
        400, "{field}: unknown filter type '{value}'; supported types: {accepted}."),
    "reports.filter_type_mismatch": ErrorSpec(
        400, "{field}: the filter {key} takes type {expected}, not {value}."),
    "reports.bad_filter_option": ErrorSpec(
        400, "{field}: '{value}' is not an option of {key}; accepted: {accepted}."),
    "reports.bad_range": ErrorSpec(
        400, "{field}: the range of {key} is empty or reversed: 'from' ({from}) must be {relation} 'to' ({to})."),
    "reports.open_range": ErrorSpec(
        400, "{field}: a range of {key} needs 'from', 'to' or both."),
    "reports.unknown_file_type": ErrorSpec(
        400, "{field}: unknown file type '{value}'; accepted: {accepted}."),
    "reports.bad_delimiter": ErrorSpec(
        400, "{field}: the delimiter must be exactly one character other than a quote or a line break, got "
             "'{value}'."),
    "reports.bad_date_pattern": ErrorSpec(
        400, "{field}: '{value}' is not a usable Java date-time pattern: {reason}."),
    "reports.bad_timezone": ErrorSpec(
        400, "{reason}"),
    "reports.bad_period": ErrorSpec(
        400, "The report period {from} to {to} is empty or longer than {maxDays} days."),
    "reports.unknown_project": ErrorSpec(
        404, "The account has no project '{project}'; its projects: {known}."),
    # Tasks and files.
    "reports.task_not_found": ErrorSpec(
        404, "There is no report task '{taskId}' in this account."),
    "reports.file_not_ready": ErrorSpec(
        409, "The report of task {taskId} is not ready: the task is {status}; its file can be downloaded once it "
             "is COMPLETED."),
    "reports.file_expired": ErrorSpec(
        404, "The report of task {taskId} was kept until {expiredAt} and is gone; create the report again."),
    "reports.task_finished": ErrorSpec(
        409, "Task {taskId} is already {status}; only a CREATED or STARTED task can be made to fail."),
    # Why a task failed (the task's error, and the async event's).
    "reports.too_many_rows": ErrorSpec(
        422, "The report would have {totalCount} rows, more than the limit of {rowLimit}; narrow the filters or "
             "the period."),
    "reports.generation_failed": ErrorSpec(
        500, "The report could not be generated: {reason}"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """The pieces of the error envelope: ``{"error": code, "message": message, "args": args}``."""

    code: str
    args: dict[str, Any]

    @property
    def status(self) -> int:
        return REPORT_ERRORS[self.code].status

    @property
    def message(self) -> str:
        return render_report_message(self.code, self.args)

    def envelope(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "args": self.args}


def render_report_message(code: str, args: dict[str, Any]) -> str:
    """The code's message with ``args`` filled in; a missing arg shows as ``?`` rather than failing."""
    blank_when_missing = collections.defaultdict(lambda: "?", args)
    return string.Formatter().vformat(REPORT_ERRORS[code].template, (), blank_when_missing)
