"""The OpenAPI 3.1 document served at ``/_mock/openapi.json``: the mocked endpoints and the control API.

Derived, not written twice: the paths are a table of :class:`Operation` rows, each listing the error codes it
can answer (their statuses come from :data:`mock_server.errors.ERRORS`); the body schemas come from the
pydantic models the control API answers with (:mod:`mock_server.control.views`). Tests check that every route
is described, that every error code belongs to a response, and (with schemathesis) that live answers match.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from generators.schema import file_day
from mock_server.config import MockConfig
from mock_server.control.views import MAX_VERSION, component_schemas
from mock_server.errors import ERRORS, FAULT_CODES
from mock_server.reporter import CREATE_TYPES, MAX_POLL_SECONDS
from mock_server.state.journal import JOURNAL_CAPACITY
from mock_server.urls import CONTROL_PREFIX, CREATE_PREFIX, EVENTS_PATH, RAWLOGS_PREFIX, REPORTS_PREFIX, RUN_PREFIX

try:
    from importlib.metadata import version as _package_version

    VERSION = _package_version("jaicp-mock")
except Exception:  # not installed (running from a checkout)
    VERSION = "0.1.0"

CONTROL_ERRORS = ("mock.bad_token", "mock.not_loopback")
"""Every control-API operation may answer these (access is checked for the whole prefix)."""
BODY_ERRORS = ("mock.bad_json", "mock.bad_field", "mock.unknown_field")
FAULT_ERRORS = tuple(FAULT_CODES[status] for status in sorted(FAULT_CODES))
"""Every platform operation may answer an injected fault."""
PLATFORM_ERRORS = ("rawlogs.unauthorized", "rawlogs.method_not_allowed", "rawlogs.internal", *FAULT_ERRORS)


def _calendar_day(year_first: bool = False) -> str:
    """A regular expression for exactly the calendar days the mock answers for (1900-01-01 to 9998-12-31).

    Written out so the document is as strict as the server: ``31-04-2026`` and ``29-02-2100`` do not match.
    """
    year = "(?:19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
    leap = "(?:(?:19|[2-9][0-9])(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)"
    day_month = "(?:(?:0[1-9]|1[0-9]|2[0-8])-(?:0[1-9]|1[0-2])|(?:29|30)-(?:0[13-9]|1[0-2])|31-(?:0[13578]|1[02]))"
    return f"(?:{day_month}-{year}|29-02-{leap})"


CALENDAR_DAY = _calendar_day()


def _path(name: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, **extra}


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


ACCOUNT_ID = _path("accountId", {"type": "integer", "minimum": 0})
FILE = _path("file", {"type": "string", "pattern": f"^{CALENDAR_DAY}\\.csv$"}, example="03-03-2023.csv")
DAY = _path("date", {"type": "string", "pattern": f"^{CALENDAR_DAY}$"}, example="03-03-2023")
LOGIN = _path("login", {"type": "string", "pattern": "^[^:/]*[^:/\\s][^:/]*$", "maxLength": 256})
"""A login has no ':' (Basic auth splits there) and no '/' (it is one path segment), and is not blank."""


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


CSV_FILE = {
    "description": "The day's CSV (the latest version ready at the clock's now). Supports ETag, Last-Modified "
                   "(the version's generation time), conditional GET and Range.",
    "headers": {
        "Content-Disposition": {"schema": {"type": "string"}, "description": 'attachment; filename="dd-mm-yyyy.csv"'},
        "ETag": {"schema": {"type": "string"}},
        "Last-Modified": {"schema": {"type": "string"}},
        "X-Rawlogs-Version": {"schema": {"type": "integer"}, "description": "The served version (mock only)."},
    },
    "content": {"text/csv; charset=utf-8": {"schema": {"type": "string"}}},
}
EMPTY = {"description": "Done (no body)."}


@dataclass(frozen=True)
class Operation:
    """One method on one path: what it answers on success, which error codes it may answer."""

    method: str
    path: str
    operation_id: str
    summary: str
    ok: dict[str, dict[str, Any]]
    errors: tuple[str, ...] = ()
    parameters: tuple[dict[str, Any], ...] = ()
    body: str | None = None
    platform: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _platform(method: str, path: str, operation_id: str, summary: str, ok: dict, errors: tuple[str, ...],
              parameters: tuple[dict[str, Any], ...]) -> Operation:
    return Operation(method, path, operation_id, summary, ok, (*errors, *PLATFORM_ERRORS), parameters,
                     platform=True)


DOWNLOAD_ERRORS = ("rawlogs.bad_date", "rawlogs.missing_role", "rawlogs.disabled", "rawlogs.not_generated_yet",
                   "rawlogs.generation_pending", "rawlogs.before_enablement", "rawlogs.cleaned",
                   "rawlogs.range_not_satisfiable", "rawlogs.precondition_failed", "rawlogs.not_found")
DOWNLOAD_OK = {"200": CSV_FILE, "206": {"description": "A byte range of the file."},
               "304": {"description": "Not modified (If-None-Match / If-Modified-Since)."}}
RUN_ERRORS = ("rawlogs.bad_account_id", "rawlogs.bad_date", "rawlogs.bad_force", "rawlogs.not_admin",
              "rawlogs.foreign_account", "rawlogs.disabled", "rawlogs.cleaned", "rawlogs.day_not_over",
              "rawlogs.file_exists", "rawlogs.bad_request")
RUN_OK = {"202": _json("RegenerationAccepted", "Scheduled: the new version is served from readyAt.")}
FORCE = _query("force", {"type": "string", "pattern": "^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"},
               "true or false, in any case")
RUN_PARAMETERS = (ACCOUNT_ID, DAY, FORCE)
C = CONTROL_PREFIX

REPORTER_ERRORS = ("reports.unauthorized", "reports.missing_role", "reports.bad_query", "rawlogs.method_not_allowed",
                   "rawlogs.internal", *FAULT_ERRORS)
"""Every Reporter API operation may answer these."""
CREATE_ERRORS = ("reports.bad_json", "reports.missing_field", "reports.unknown_field", "reports.bad_field",
                 "reports.unknown_filter_key", "reports.unknown_filter_type", "reports.filter_type_mismatch",
                 "reports.bad_filter_option", "reports.bad_range", "reports.open_range", "reports.unknown_file_type",
                 "reports.bad_delimiter", "reports.bad_date_pattern", "reports.bad_timezone", "reports.bad_period",
                 "reports.unknown_project", "rawlogs.http_error")
TASK_ID = _path("taskId", {"type": "string", "minLength": 1, "pattern": "^[^/]+$"})
CREATE_PARAMETERS = (
    {"name": "Timezone", "in": "header", "required": False, "schema": {"type": "string", "example": "+03:00"},
     "description": "The user's zone for this request (IANA name or offset); default: the profile's"},
    {"name": "language", "in": "header", "required": False, "schema": {"type": "string", "example": "en"},
     "description": "Accepted; the mock writes English column titles"},
    _query("projectShortName", {"type": "string"}, "Only this project's rows"))
REPORTER_EXTRA = {"tags": ["reports"], "security": [{"bearerAuth": []}]}


def _reporter(method: str, path: str, operation_id: str, summary: str, ok: dict, errors: tuple[str, ...] = (),
              parameters: tuple[dict[str, Any], ...] = (), body: str | None = None) -> Operation:
    return Operation(method, path, operation_id, summary, ok, (*errors, *REPORTER_ERRORS), parameters, body,
                     platform=True, extra=REPORTER_EXTRA)


REPORT_FILE = {
    "description": "The report (XLSX or CSV); ETag, Last-Modified, conditional GET and Range as the raw-log files.",
    "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string"}},
                "text/csv; charset=utf-8": {"schema": {"type": "string"}}}}
FILE_ERRORS = ("reports.task_not_found", "reports.file_not_ready", "reports.file_expired",
               "rawlogs.range_not_satisfiable")
REPORTER_OPERATIONS: tuple[Operation, ...] = (
    *(_reporter("post", f"{CREATE_PREFIX}/{kind}", f"create{kind.capitalize()}Report",
                f"Create a {kind} report task (answers at once; the task then appears in the list)",
                {"200": _json("AsyncTaskDto", "Accepted")}, CREATE_ERRORS, CREATE_PARAMETERS,
                "DailyReportDto" if kind == "daily" else "CreateReportDto") for kind in CREATE_TYPES),
    _reporter("get", REPORTS_PREFIX, "listReportTasks", "The account's report tasks (not deleted ones)",
              {"200": _json("ReportTasksDto", "Oldest first")}),
    _reporter("delete", REPORTS_PREFIX, "deleteCompletedReportTasks", "Delete the COMPLETED tasks", {"204": EMPTY}),
    _reporter("delete", f"{REPORTS_PREFIX}/all", "deleteAllReportTasks", "Delete every task (running ones stop)",
              {"204": EMPTY}),
    _reporter("get", f"{REPORTS_PREFIX}/tasks/{{taskId}}", "getReportTask", "One task",
              {"200": _json("ReportGenerationTaskDto", "The task")}, ("reports.task_not_found",), (TASK_ID,)),
    _reporter("delete", f"{REPORTS_PREFIX}/tasks/{{taskId}}", "deleteReportTask",
              "Stop a running task (STOPPED), or delete a finished one (DELETED)",
              {"200": _json("ReportGenerationTaskDto", "The task after the change")}, ("reports.task_not_found",),
              (TASK_ID,)),
    _reporter("get", f"{REPORTS_PREFIX}/tasks/{{taskId}}/file", "downloadReport", "A COMPLETED task's file",
              {"200": REPORT_FILE, "206": {"description": "A byte range of the file."},
               "304": {"description": "Not modified."}}, FILE_ERRORS, (TASK_ID,)),
    _reporter("head", f"{REPORTS_PREFIX}/tasks/{{taskId}}/file", "headReport", "Headers of a task's file",
              {"200": REPORT_FILE, "304": {"description": "Not modified."}}, FILE_ERRORS, (TASK_ID,)),
    _reporter("get", EVENTS_PATH, "asyncEvents",
              "The request's event once its task finished (long poll, bounded in real time; at once on a frozen "
              "clock); an empty list while it runs",
              {"200": _json("AsyncEventsDto", "The events")}, ("reports.unknown_request",),
              ({**_query("requestId", {"type": "string", "minLength": 1}), "required": True},
               _query("timeout", {"type": "integer", "minimum": 0, "maximum": MAX_POLL_SECONDS},
                      "Seconds to wait for the task to finish (real time)"))),
)
LISTED_DAY = {"type": "string", "pattern": "^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{2}-[0-9]{4})?$"}
"""Empty means the default."""

OPERATIONS: tuple[Operation, ...] = (
    _platform("get", f"{RAWLOGS_PREFIX}/{{file}}", "downloadRawlogs", "Download a day's raw-log CSV",
              DOWNLOAD_OK, DOWNLOAD_ERRORS, (FILE,)),
    _platform("head", f"{RAWLOGS_PREFIX}/{{file}}", "headRawlogs", "Headers of a day's raw-log CSV",
              DOWNLOAD_OK, DOWNLOAD_ERRORS, (FILE,)),
    _platform("get", f"{RUN_PREFIX}/{{accountId}}/{{date}}", "runRawlogsGet",
              "(Re)generate a day (account administrator)", RUN_OK, RUN_ERRORS, RUN_PARAMETERS),
    _platform("post", f"{RUN_PREFIX}/{{accountId}}/{{date}}", "runRawlogs",
              "(Re)generate a day (account administrator)", RUN_OK, RUN_ERRORS, RUN_PARAMETERS),
    Operation("get", f"{C}/health", "health", "Liveness, the clock and the accounts", {"200": _json("Health", "OK")}),
    Operation("post", f"{C}/reset", "reset", "Back to the configuration's initial state (files are kept)",
              {"200": _json("Reset", "Reset")}),
    Operation("get", f"{C}/clock", "getClock", "The mock clock", {"200": _json("Clock", "The clock")}),
    Operation("post", f"{C}/clock", "setClock", "Set, advance, freeze or unfreeze the clock (applied in that order)",
              {"200": _json("Clock", "The clock after the change")}, BODY_ERRORS, body="ClockChange"),
    Operation("get", f"{C}/accounts", "listAccounts", "Every account", {"200": _json("Accounts", "The accounts")}),
    Operation("get", f"{C}/accounts/{{accountId}}", "getAccount", "One account",
              {"200": _json("Account", "The account")}, ("mock.unknown_account",), (ACCOUNT_ID,)),
    Operation("patch", f"{C}/accounts/{{accountId}}", "patchAccount",
              "Change plan, plan_since, rawlogs_enabled_at (null disables), cleanup_days",
              {"200": _json("Account", "The account after the change")}, ("mock.unknown_account", *BODY_ERRORS),
              (ACCOUNT_ID,), body="AccountPatch"),
    Operation("patch", f"{C}/accounts/{{accountId}}/projects/{{name}}", "patchProject",
              "Change a project's cleanup_days (applies to the whole account)",
              {"200": _json("Account", "The account after the change")},
              ("mock.unknown_account", "mock.unknown_project", *BODY_ERRORS),
              (ACCOUNT_ID, _path("name", {"type": "string"})), body="ProjectPatch"),
    Operation("get", f"{C}/accounts/{{accountId}}/files", "listFiles", "Each day's status and versions",
              {"200": _json("DayFiles", "The days")}, ("mock.unknown_account", "mock.bad_query"),
              (ACCOUNT_ID, _query("from", LISTED_DAY, "First day, YYYY-MM-DD or dd-mm-yyyy (default: 29 days "
                                                      "before 'to'); at most 400 days up to 'to'"),
               _query("to", LISTED_DAY, "Last day (default: today by the mock clock)"))),
    Operation("get", f"{C}/accounts/{{accountId}}/expected/{{file}}", "expectedFile",
              "The exact bytes served for a day and version (whatever its status now)",
              {"200": {"description": "The CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}},
              ("mock.unknown_account", "mock.bad_field", "mock.bad_query"),
              (ACCOUNT_ID, FILE,
               _query("version", {"type": "integer", "minimum": 1, "maximum": MAX_VERSION, "example": 1}))),
    Operation("get", f"{C}/users", "listUsers", "Every user (no passwords)", {"200": _json("Users", "The users")}),
    Operation("put", f"{C}/users/{{login}}", "putUser", "Create or replace a user",
              {"200": _json("User", "Replaced"), "201": _json("User", "Created")}, BODY_ERRORS, (LOGIN,),
              body="UserPut"),
    Operation("delete", f"{C}/users/{{login}}", "deleteUser", "Remove a user", {"204": EMPTY},
              ("mock.unknown_user",), (LOGIN,)),
    Operation("get", f"{C}/requests", "getRequests",
              "The request journal (platform endpoints only; credentials redacted)",
              {"200": _json("Journal", "Oldest first")}, ("mock.bad_query",),
              (_query("limit", {"type": "integer", "minimum": 0, "maximum": JOURNAL_CAPACITY}),)),
    Operation("delete", f"{C}/requests", "clearRequests", "Clear the journal", {"204": EMPTY}),
    Operation("get", f"{C}/faults", "listFaults", "The active injected faults, oldest (first used) first",
              {"200": _json("Faults", "The faults")}),
    Operation("post", f"{C}/faults", "addFault",
              "Inject a fault: the next `times` requests to `path` (default: every platform path) answer `status`, "
              "before authentication; each matching request uses one",
              {"201": _json("Fault", "The fault")}, BODY_ERRORS, body="FaultAdd"),
    Operation("delete", f"{C}/faults", "clearFaults", "Remove every fault", {"204": EMPTY}),
    Operation("delete", f"{C}/faults/{{faultId}}", "removeFault", "Remove one fault", {"204": EMPTY},
              ("mock.unknown_fault",), (_path("faultId", {"type": "integer"}),)),
    Operation("get", f"{C}/reports", "mockListReportTasks", "Every account's report tasks (DELETED too), oldest first",
              {"200": _json("ReportTasks", "The tasks")}, ("mock.unknown_account",),
              (_query("account", {"type": "integer", "minimum": 0}, "Only this account's tasks"),)),
    Operation("post", f"{C}/reports/{{taskId}}/fail", "mockFailReportTask",
              "Make a CREATED or STARTED task FAIL now, with the error the platform would give",
              {"200": _json("ReportTask", "The task after the change")},
              ("reports.task_not_found", "reports.task_finished", *BODY_ERRORS), (TASK_ID,), body="ReportFail"),
    Operation("get", f"{C}/reports/{{taskId}}/rows", "mockReportRows",
              "The rows a task's report holds (whatever its status), as JSON", {"200": _json("ReportRows", "Rows")},
              ("reports.task_not_found",), (TASK_ID,)),
    Operation("delete", f"{C}/reports", "mockClearReportTasks", "Forget every report task and file", {"204": EMPTY}),
    Operation("get", f"{C}/openapi.json", "openapi", "This document", {"200": {"description": "OpenAPI 3.1"}}),
    *REPORTER_OPERATIONS,
)
"""Every operation. Unknown paths and wrong methods answer ``*.not_found`` / ``*.method_not_allowed``."""

UNROUTED_ERRORS = ("mock.not_found", "mock.method_not_allowed", "rawlogs.http_error")
"""Codes no route answers: a path no route knows, a method a path lacks, a body over the size limit."""
TASK_ERRORS = ("reports.too_many_rows", "reports.generation_failed", "reports.stopped")
"""Codes no request answers: the error a FAILED or STOPPED report task (and its async event) carries."""
PAGE_ERRORS = tuple(code for code in ERRORS if code.startswith("web."))
"""Codes of the browser UI (``/ui/``): pages, not an API, so this document leaves them out."""


def _responses(operation: Operation) -> dict[str, Any]:
    codes = operation.errors if operation.platform else (*operation.errors, *CONTROL_ERRORS)
    by_status: dict[int, list[str]] = defaultdict(list)
    for code in codes:
        by_status[ERRORS[code].status].append(code)
    errors = {str(status): {"description": f"Codes: {', '.join(sorted(found))}.",
                            "content": {"application/json": {"schema": _ref("Error")}}}
              for status, found in sorted(by_status.items())}
    return {**operation.ok, **errors}


def _operation_object(operation: Operation) -> dict[str, Any]:
    described: dict[str, Any] = {"summary": operation.summary, "operationId": operation.operation_id,
                                 "responses": _responses(operation)}
    if operation.parameters:
        described["parameters"] = list(operation.parameters)
    if operation.body is not None:
        described["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _ref(operation.body)}}}
    if operation.platform:
        described.update(tags=["raw logs"], security=[{"basicAuth": []}])
    else:
        described.update(tags=["control"], security=[{}, {"controlToken": []}])
    described.update(operation.extra)
    return described


@dataclass(frozen=True)
class ServerFacts:
    """What this server knows that the document states: its account ids, and examples that work here."""

    account_ids: tuple[int, ...]
    project: str
    login: str
    latest_day: date
    """The day before the mock clock's today: the latest day out."""

    @classmethod
    def of(cls, config: MockConfig, today: date) -> ServerFacts:
        first = config.accounts[0]
        users = [user.login for account in config.accounts for user in account.users]
        return cls(tuple(account.id for account in config.accounts), first.projects[0].name,
                   users[0] if users else "analyst", today - timedelta(days=1))

    def parameter(self, name: str) -> dict[str, Any]:
        """What this server adds to a parameter's description (an enum, a working example)."""
        by_name: dict[str, dict[str, Any]] = {
            "accountId": {"schema": {"type": "integer", "enum": list(self.account_ids)},
                          "example": self.account_ids[0]},
            "file": {"example": f"{file_day(self.latest_day)}.csv"},
            "date": {"example": file_day(self.latest_day)},
            "name": {"example": self.project},
            "login": {"example": self.login},
            "force": {"example": "true"},
        }
        return by_name.get(name, {})


def _specialise(described: dict[str, Any], facts: ServerFacts) -> dict[str, Any]:
    if "parameters" in described:
        described["parameters"] = [{**parameter, **facts.parameter(parameter["name"])}
                                   for parameter in described["parameters"]]
    return described


def _schemas(facts: ServerFacts | None) -> dict[str, Any]:
    schemas = component_schemas()
    if facts is not None:
        schemas["UserPut"]["properties"]["account"]["enum"] = list(facts.account_ids)
    return schemas


def openapi_document(server_url: str = "http://127.0.0.1:8080", facts: ServerFacts | None = None) -> dict[str, Any]:
    """The document; with ``facts``, as this server answers (its account ids, examples that succeed here)."""
    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    for operation in OPERATIONS:
        described = _operation_object(operation)
        paths[operation.path][operation.method] = described if facts is None else _specialise(described, facts)
    return {
        "openapi": "3.1.0",
        "info": {"title": "jaicp-mock", "version": VERSION,
                 "description": "A local mock of JAICP's daily raw-log CSV export (/restapi/rawlogs) with the "
                                "platform's rules on a controllable clock, and its control API (/_mock)."},
        "servers": [{"url": server_url}],
        "tags": [{"name": "raw logs", "description": "The mocked JAICP endpoints"},
                 {"name": "reports", "description": "The mocked Reporter and Async APIs (report tasks)"},
                 {"name": "control", "description": "The mock's control API (loopback or bearer token)"}],
        "paths": dict(paths),
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"},
                                "bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "The user's API token (Reporter API)"},
                                "controlToken": {"type": "http", "scheme": "bearer",
                                                 "description": "Only when the server runs with --control-token"}},
            "schemas": _schemas(facts),
        },
    }
