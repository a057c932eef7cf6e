"""Every error the mock answers with: one table of codes, statuses and messages, and one JSON envelope.

A client under test branches on the status and on ``error``; a person reading a log acts on ``message``.
Keeping them in one table means no handler invents a status of its own, the README's table is this table,
and a test can check that every code has a message that fills in.

The envelope follows the platform's API errors: ``{"error": "<code>", "message": "...", "args": {...}}``.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass

from flask import Response

BASIC_CHALLENGE = 'Basic realm="JAICP"'
BEARER_CHALLENGE = 'Bearer realm="jaicp-mock"'


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    status: int
    template: str
    """A ``str.format`` template over the error's args."""


ERRORS: dict[str, ErrorSpec] = {
    # Authentication and authorization (rawlogs endpoints).
    "rawlogs.unauthorized": ErrorSpec(
        401, "Send the login and password of a platform user with HTTP basic authentication."),
    "rawlogs.missing_role": ErrorSpec(
        403, "User {login} lacks the role RAWLOGS_ANALYTIC needed to download raw logs; "
             "the account administrator can grant it."),
    "rawlogs.disabled": ErrorSpec(
        403, "Raw-log download is not enabled for account {accountId}; support enables it, and it is on "
             "automatically from the switch to a JAICP Business plan."),
    "rawlogs.not_admin": ErrorSpec(
        403, "Only the account administrator can regenerate raw logs, and user {login} is not one."),
    "rawlogs.foreign_account": ErrorSpec(
        403, "User {login} belongs to account {userAccountId}, not {accountId}; an administrator can "
             "regenerate only their own account's files."),
    # Malformed requests.
    "rawlogs.bad_date": ErrorSpec(
        400, "'{value}' is not a day: write a real calendar date (years 1900 to 9998) as {shape}, e.g. {example}."),
    "rawlogs.bad_account_id": ErrorSpec(
        400, "'{value}' is not an account id: use the account's number, e.g. /restapi/rawlogs/run/1234567/03-03-2023."),
    "rawlogs.bad_force": ErrorSpec(
        400, "force takes true or false, got '{value}'."),
    "rawlogs.bad_request": ErrorSpec(
        400, "The request could not be understood: {detail}"),
    # No file for that day (each reason its own code).
    "rawlogs.not_generated_yet": ErrorSpec(
        404, "The file for {date} is not generated yet: it is written at {dueAt}, 00:01 UTC after the day ends."),
    "rawlogs.generation_pending": ErrorSpec(
        404, "The file for {date} is being generated and can be downloaded from {readyAt}."),
    "rawlogs.before_enablement": ErrorSpec(
        404, "There is no file for {date}: raw-log download was enabled for account {accountId} at {enabledAt}, "
             "and days generated before that are never available."),
    "rawlogs.cleaned": ErrorSpec(
        404, "The file for {date} was removed by the account's log cleanup, which keeps {retentionDays} day(s); "
             "days before {cutoff} are gone."),
    # Regeneration conflicts.
    "rawlogs.day_not_over": ErrorSpec(
        409, "{date} cannot be generated on demand yet: its file is first written at {dueAt}."),
    "rawlogs.file_exists": ErrorSpec(
        409, "The file for {date} already exists (version {version}); add force=true to generate it again."),
    # Routing and protocol.
    "rawlogs.not_found": ErrorSpec(
        404, "There is no endpoint at '{path}'; raw logs are at /restapi/rawlogs/dd-mm-yyyy.csv."),
    "rawlogs.method_not_allowed": ErrorSpec(
        405, "{method} is not allowed on '{path}'; use {allowed}."),
    "rawlogs.range_not_satisfiable": ErrorSpec(
        416, "The requested byte range is outside the file ({length} bytes)."),
    "rawlogs.precondition_failed": ErrorSpec(
        412, "The file does not match the request's If-Match or If-Unmodified-Since (it changed, or was regenerated)."),
    "rawlogs.http_error": ErrorSpec(
        400, "The request was rejected: {detail}"),
    # Injected faults (the control API's /_mock/faults): the platform's proxy failing, before authentication.
    "rawlogs.too_many_requests": ErrorSpec(
        429, "Too many requests: the platform is throttling this client; wait before trying again "
             "(as long as Retry-After says, when given). Injected by the mock's fault {faultId}."),
    "rawlogs.server_error": ErrorSpec(
        500, "The platform failed on this request; try again later. Injected by the mock's fault {faultId}."),
    "rawlogs.bad_gateway": ErrorSpec(
        502, "The platform's proxy got no valid answer from the service; try again later. "
             "Injected by the mock's fault {faultId}."),
    "rawlogs.unavailable": ErrorSpec(
        503, "The platform is temporarily unavailable; try again later. Injected by the mock's fault {faultId}."),
    "rawlogs.gateway_timeout": ErrorSpec(
        504, "The platform's proxy timed out waiting for the service; try again later. "
             "Injected by the mock's fault {faultId}."),
    "rawlogs.internal": ErrorSpec(
        500, "The mock server failed on this request; the error is in its log. Please report it."),
    # The control API.
    "mock.not_loopback": ErrorSpec(
        403, "The control API answers loopback clients only (127.0.0.1, ::1); start the server with "
             "--control-token to reach it from {remoteAddr}."),
    "mock.bad_token": ErrorSpec(
        401, "The control API needs the header 'Authorization: Bearer <token>' with the server's --control-token."),
    "mock.bad_json": ErrorSpec(
        400, "Send a JSON object in the body with Content-Type: application/json."),
    "mock.unknown_field": ErrorSpec(
        400, "Unknown field '{field}'; accepted: {accepted}."),
    "mock.bad_field": ErrorSpec(
        400, "{field}: {reason}"),
    "mock.bad_query": ErrorSpec(
        400, "Query parameter {param}: {reason}"),
    "mock.unknown_account": ErrorSpec(
        404, "There is no account '{accountId}'; configured accounts: {known}."),
    "mock.unknown_project": ErrorSpec(
        404, "Account {accountId} has no project '{project}'; its projects: {known}."),
    "mock.unknown_user": ErrorSpec(
        404, "There is no user '{login}'."),
    "mock.unknown_fault": ErrorSpec(
        404, "There is no active fault '{faultId}' (used up, removed, or never made); see GET /_mock/faults."),
    "mock.not_found": ErrorSpec(
        404, "There is no control endpoint at '{path}'; see /_mock/openapi.json."),
    "mock.method_not_allowed": ErrorSpec(
        405, "{method} is not allowed on '{path}'; use {allowed}."),
    # Report tasks (the Reporter and Async APIs, mock_server/reporter.py).
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
        400, "The report period {from} to {to} must be non-empty, at most {maxDays} days long, not in the "
             "future, and within the years 1900 to 9998."),
    "reports.unknown_project": ErrorSpec(
        404, "The account has no project '{project}'; its projects: {known}."),
    # Tasks and files.
    "reports.task_not_found": ErrorSpec(
        404, "There is no report task '{taskId}' in this account."),
    "reports.file_not_ready": ErrorSpec(
        409, "The report of task {taskId} is not ready: the task is {taskStatus}; its file can be downloaded once it "
             "is COMPLETED."),
    "reports.file_expired": ErrorSpec(
        404, "The report of task {taskId} was kept until {expiredAt} and is gone; create the report again."),
    "reports.task_finished": ErrorSpec(
        409, "Task {taskId} is already {taskStatus}; only a CREATED or STARTED task can be made to fail."),
    # Why a task failed (the task's error, and the async event's).
    "reports.too_many_rows": ErrorSpec(
        422, "The report would have {totalCount} rows, more than the limit of {rowLimit}; narrow the filters or "
             "the period."),
    "reports.generation_failed": ErrorSpec(
        500, "The report could not be generated: {reason}"),
    "reports.stopped": ErrorSpec(
        409, "Report task {taskId} was stopped (deleted while it ran) and has no file."),
    "reports.unknown_request": ErrorSpec(
        404, "There is no report request '{requestId}' in this account."),
    "reports.bad_query": ErrorSpec(
        400, "Query parameter {param}: {reason}"),
    # The browser UI (mock_server/web/): forms, the session, and the JSON the pages poll.
    "web.csrf_failed": ErrorSpec(
        400, "The form's security token is missing or stale ({reason}); reload the page and submit it again."),
    "web.login_required": ErrorSpec(
        401, "Log in at /ui/login first: there is no session, it ended, or the user's password changed."),
    "web.missing_role": ErrorSpec(
        403, "User {login} lacks the analytics permission needed to see Analytics and export reports; the "
             "account administrator can grant it."),
    "web.bad_filter": ErrorSpec(
        400, "{field}: {reason}"),
    "web.bad_request": ErrorSpec(
        400, "Bad request: {detail}"),
    "web.not_found": ErrorSpec(
        404, "There is no page at '{path}'; the platform's pages start at /ui/login."),
    "web.method_not_allowed": ErrorSpec(
        405, "{method} is not allowed on '{path}'; use {allowed}."),
}


FAULT_CODES = {429: "rawlogs.too_many_requests", 500: "rawlogs.server_error", 502: "rawlogs.bad_gateway",
               503: "rawlogs.unavailable", 504: "rawlogs.gateway_timeout"}
"""The code an injected fault of each status answers with (one code per status, as everywhere in the table)."""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def render_message(code: str, args: dict) -> str:
    """The code's message with ``args`` filled in (a missing arg shows as ``?`` rather than failing)."""
    return string.Formatter().vformat(ERRORS[code].template, (), _Blank(args))


SHOWN_VALUE_LIMIT = 80


def shown(value: str) -> str:
    """A request value for a message, cut short so a hostile 10 kB path does not echo back whole."""
    return value if len(value) <= SHOWN_VALUE_LIMIT else value[:SHOWN_VALUE_LIMIT] + "..."


class ApiError(Exception):
    """Raised anywhere below a view; the app's handler turns it into the envelope.

    ``status`` overrides the table only for HTTP errors passed through from Werkzeug (``rawlogs.http_error``).
    """

    def __init__(self, code: str, *, status: int | None = None, headers: dict[str, str] | None = None,
                 **args: object) -> None:
        if code not in ERRORS:
            raise KeyError(f"unknown error code {code!r}")
        super().__init__(code)
        self.code = code
        self.status = status or ERRORS[code].status
        self.headers = headers or {}
        self.args_ = args

    def response(self) -> Response:
        return error_response(self.code, status=self.status, headers=self.headers, **self.args_)


def error_response(code: str, *, status: int | None = None, headers: dict[str, str] | None = None,
                   **args: object) -> Response:
    """The JSON envelope for ``code``; 401s carry their challenge."""
    spec = ERRORS[code]
    body = json.dumps({"error": code, "message": render_message(code, args), "args": args}, ensure_ascii=False,
                      default=str)
    response = Response(body + "\n", status=status or spec.status, mimetype="application/json")
    if code == "rawlogs.unauthorized":
        response.headers["WWW-Authenticate"] = BASIC_CHALLENGE
    elif code == "mock.bad_token":
        response.headers["WWW-Authenticate"] = BEARER_CHALLENGE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
