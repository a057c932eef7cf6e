"""The OpenAPI 3.1 document served at ``/_mock/openapi.json``: the mocked endpoints and the control API.

Built from the same tables the server uses (the error codes come from :data:`mock_server.errors.ERRORS`), and a
test checks that every route of the app is described, so the document cannot silently fall behind the code.
"""

from __future__ import annotations

from typing import Any

from mock_server.errors import ERRORS, FAULT_CODES
from mock_server.state.faults import MAX_FAULT_TIMES, MAX_RETRY_AFTER

try:
    from importlib.metadata import version as _package_version

    VERSION = _package_version("jaicp-mock")
except Exception:  # not installed (running from a checkout)
    VERSION = "0.1.0"


def _error_response(description: str, codes: list[str]) -> dict[str, Any]:
    return {"description": f"{description} Codes: {', '.join(codes)}.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _body(schema_ref: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{schema_ref}"}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_CONTROL_ERRORS = {
    "401": _error_response("A control token is set and the request lacks it.", ["mock.bad_token"]),
    "403": _error_response("Not a loopback client and no control token is set.", ["mock.not_loopback"]),
}
_ACCOUNT_ID = {"name": "accountId", "in": "path", "required": True, "schema": {"type": "integer"}}
_NULLABLE_INSTANT = {"type": ["string", "null"], "format": "date-time"}


def openapi_document(server_url: str = "http://127.0.0.1:8080") -> dict[str, Any]:
    control = {"security": [{}, {"controlToken": []}], "tags": ["control"]}
    fault_errors = {
        str(status): _error_response(f"An injected fault (POST /_mock/faults), answered before authentication"
                                     f"{'; Retry-After when the fault sets it' if status in (429, 503) else ''}.",
                                     [code])
        for status, code in sorted(FAULT_CODES.items())
    }
    download_errors = {
        "400": _error_response("The day is not a real dd-mm-yyyy date.", ["rawlogs.bad_date"]),
        "401": _error_response("No or wrong credentials (the same answer for both).", ["rawlogs.unauthorized"]),
        "403": _error_response("No RAWLOGS_ANALYTIC role, or raw logs are off for the account.",
                               ["rawlogs.missing_role", "rawlogs.disabled"]),
        "404": _error_response("No file for that day.", ["rawlogs.not_generated_yet", "rawlogs.generation_pending",
                                                         "rawlogs.before_enablement", "rawlogs.cleaned"]),
        "405": _error_response("Another method.", ["rawlogs.method_not_allowed"]),
        "416": _error_response("A Range outside the file.", ["rawlogs.range_not_satisfiable"]),
        **fault_errors,
    }
    csv_ok = {
        "description": "The day's CSV (the latest version ready at the clock's now). Supports ETag, "
                       "Last-Modified (the version's generation time), conditional GET and Range.",
        "headers": {
            "Content-Disposition": {"schema": {"type": "string"},
                                    "description": 'attachment; filename="dd-mm-yyyy.csv"'},
            "ETag": {"schema": {"type": "string"}},
            "Last-Modified": {"schema": {"type": "string"}},
            "X-Rawlogs-Version": {"schema": {"type": "integer"}, "description": "The served version (mock only)."},
        },
        "content": {"text/csv; charset=utf-8": {"schema": {"type": "string"}}},
    }
    download = {
        "tags": ["raw logs"],
        "security": [{"basicAuth": []}],
        "parameters": [{"name": "file", "in": "path", "required": True,
                        "schema": {"type": "string", "pattern": r"^[0-9]{2}-[0-9]{2}-[0-9]{4}\.csv$"},
                        "example": "03-03-2023.csv"}],
        "responses": {"200": csv_ok, "206": {"description": "A byte range of the file."},
                      "304": {"description": "Not modified (If-None-Match / If-Modified-Since)."}, **download_errors},
    }
    run_responses = {
        "202": _json("RegenerationAccepted", "Scheduled: the new version is served from readyAt."),
        "400": _error_response("Bad account id, date or force.",
                               ["rawlogs.bad_account_id", "rawlogs.bad_date", "rawlogs.bad_force"]),
        "401": download_errors["401"],
        "403": _error_response("Not the account administrator, another account, or raw logs are off.",
                               ["rawlogs.not_admin", "rawlogs.foreign_account", "rawlogs.disabled"]),
        "404": _error_response("The day was removed by cleanup.", ["rawlogs.cleaned"]),
        "405": download_errors["405"],
        "409": _error_response("The day is not over (not generated yet), or a file exists and force is not true.",
                               ["rawlogs.day_not_over", "rawlogs.file_exists"]),
        **fault_errors,
    }
    run = {
        "tags": ["raw logs"],
        "security": [{"basicAuth": []}],
        "parameters": [
            _ACCOUNT_ID,
            {"name": "date", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": r"^[0-9]{2}-[0-9]{2}-[0-9]{4}$"}, "example": "03-03-2023"},
            {"name": "force", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["true", "false"]}},
        ],
        "responses": run_responses,
    }
    paths: dict[str, Any] = {
        "/restapi/rawlogs/{file}": {
            "get": {"summary": "Download a day's raw-log CSV", "operationId": "downloadRawlogs", **download},
            "head": {"summary": "Headers of a day's raw-log CSV", "operationId": "headRawlogs", **download},
        },
        "/restapi/rawlogs/run/{accountId}/{date}": {
            "get": {"summary": "(Re)generate a day (account administrator)", "operationId": "runRawlogsGet", **run},
            "post": {"summary": "(Re)generate a day (account administrator)", "operationId": "runRawlogs", **run},
        },
        "/_mock/health": {"get": {"summary": "Liveness, the clock and the accounts", "operationId": "health",
                                  "responses": {"200": {"description": "OK"}, **_CONTROL_ERRORS}, **control}},
        "/_mock/reset": {"post": {"summary": "Back to the configuration's initial state (files are kept)",
                                  "operationId": "reset",
                                  "responses": {"200": {"description": "Reset"}, **_CONTROL_ERRORS}, **control}},
        "/_mock/clock": {
            "get": {"summary": "The mock clock", "operationId": "getClock",
                    "responses": {"200": _json("Clock", "The clock"), **_CONTROL_ERRORS}, **control},
            "post": {"summary": "Set, advance, freeze or unfreeze the clock (applied in that order)",
                     "operationId": "setClock", "requestBody": _body("ClockChange"),
                     "responses": {"200": _json("Clock", "The clock after the change"),
                                   "400": _error_response("Bad input.", ["mock.bad_json", "mock.bad_field",
                                                                         "mock.unknown_field"]),
                                   **_CONTROL_ERRORS}, **control},
        },
        "/_mock/accounts": {"get": {"summary": "Every account", "operationId": "listAccounts",
                                    "responses": {"200": {"description": "{accounts: [Account]}"},
                                                  **_CONTROL_ERRORS}, **control}},
        "/_mock/accounts/{accountId}": {
            "parameters": [_ACCOUNT_ID],
            "get": {"summary": "One account", "operationId": "getAccount",
                    "responses": {"200": _json("Account", "The account"),
                                  "404": _error_response("No such account.", ["mock.unknown_account"]),
                                  **_CONTROL_ERRORS}, **control},
            "patch": {"summary": "Change plan, plan_since, rawlogs_enabled_at (null disables), cleanup_days",
                      "operationId": "patchAccount", "requestBody": _body("AccountPatch"),
                      "responses": {"200": _json("Account", "The account after the change"),
                                    "400": _error_response("Bad input.", ["mock.bad_json", "mock.bad_field",
                                                                          "mock.unknown_field"]),
                                    "404": _error_response("No such account.", ["mock.unknown_account"]),
                                    **_CONTROL_ERRORS}, **control},
        },
        "/_mock/accounts/{accountId}/projects/{name}": {
            "parameters": [_ACCOUNT_ID, {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "patch": {"summary": "Change a project's cleanup_days (applies to the whole account)",
                      "operationId": "patchProject", "requestBody": _body("ProjectPatch"),
                      "responses": {"200": _json("Account", "The account after the change"),
                                    "400": _error_response("Bad input.", ["mock.bad_json", "mock.bad_field",
                                                                          "mock.unknown_field"]),
                                    "404": _error_response("No such account or project.",
                                                           ["mock.unknown_account", "mock.unknown_project"]),
                                    **_CONTROL_ERRORS}, **control},
        },
        "/_mock/accounts/{accountId}/files": {
            "parameters": [_ACCOUNT_ID,
                           {"name": "from", "in": "query", "schema": {"type": "string"},
                            "description": "First day, YYYY-MM-DD or dd-mm-yyyy (default: 29 days before 'to')"},
                           {"name": "to", "in": "query", "schema": {"type": "string"},
                            "description": "Last day (default: today by the mock clock)"}],
            "get": {"summary": "Each day's status and versions", "operationId": "listFiles",
                    "responses": {"200": _json("DayFiles", "The days"),
                                  "400": _error_response("Bad range.", ["mock.bad_query"]),
                                  "404": _error_response("No such account.", ["mock.unknown_account"]),
                                  **_CONTROL_ERRORS}, **control},
        },
        "/_mock/accounts/{accountId}/expected/{file}": {
            "parameters": [_ACCOUNT_ID,
                           {"name": "file", "in": "path", "required": True, "schema": {"type": "string"},
                            "example": "03-03-2026.csv"},
                           {"name": "version", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
            "get": {"summary": "The exact bytes served for a day and version (whatever its status now)",
                    "operationId": "expectedFile",
                    "responses": {"200": {"description": "The CSV", "content": {"text/csv": {}}},
                                  "400": _error_response("Bad day or version.", ["mock.bad_field", "mock.bad_query"]),
                                  "404": _error_response("No such account.", ["mock.unknown_account"]),
                                  **_CONTROL_ERRORS}, **control},
        },
        "/_mock/users": {"get": {"summary": "Every user (no passwords)", "operationId": "listUsers",
                                 "responses": {"200": {"description": "{users: [User]}"}, **_CONTROL_ERRORS},
                                 **control}},
        "/_mock/users/{login}": {
            "parameters": [{"name": "login", "in": "path", "required": True, "schema": {"type": "string"}}],
            "put": {"summary": "Create or replace a user", "operationId": "putUser", "requestBody": _body("UserPut"),
                    "responses": {"200": _json("User", "Replaced"), "201": _json("User", "Created"),
                                  "400": _error_response("Bad input.", ["mock.bad_json", "mock.bad_field",
                                                                        "mock.unknown_field"]),
                                  **_CONTROL_ERRORS}, **control},
            "delete": {"summary": "Remove a user", "operationId": "deleteUser",
                       "responses": {"204": {"description": "Removed"},
                                     "404": _error_response("No such user.", ["mock.unknown_user"]),
                                     **_CONTROL_ERRORS}, **control},
        },
        "/_mock/requests": {
            "get": {"summary": "The request journal (platform endpoints only; credentials redacted)",
                    "operationId": "getRequests",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 1000}}],
                    "responses": {"200": _json("Journal", "Oldest first"),
                                  "400": _error_response("Bad limit.", ["mock.bad_query"]), **_CONTROL_ERRORS},
                    **control},
            "delete": {"summary": "Clear the journal", "operationId": "clearRequests",
                       "responses": {"204": {"description": "Cleared"}, **_CONTROL_ERRORS}, **control},
        },
        "/_mock/faults": {
            "get": {"summary": "The active injected faults, oldest (first used) first", "operationId": "listFaults",
                    "responses": {"200": _json("Faults", "{faults: [Fault]}"), **_CONTROL_ERRORS}, **control},
            "post": {"summary": "Inject a fault: the next `times` requests to `path` (default: every platform path) "
                                "answer `status`, before authentication; each matching request uses one",
                     "operationId": "addFault", "requestBody": _body("FaultAdd"),
                     "responses": {"201": _json("Fault", "The fault"),
                                   "400": _error_response("Bad input.", ["mock.bad_json", "mock.bad_field",
                                                                         "mock.unknown_field"]),
                                   **_CONTROL_ERRORS}, **control},
            "delete": {"summary": "Remove every fault", "operationId": "clearFaults",
                       "responses": {"204": {"description": "Cleared"}, **_CONTROL_ERRORS}, **control},
        },
        "/_mock/faults/{faultId}": {
            "parameters": [{"name": "faultId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "delete": {"summary": "Remove one fault", "operationId": "removeFault",
                       "responses": {"204": {"description": "Removed"},
                                     "404": _error_response("No such active fault.", ["mock.unknown_fault"]),
                                     **_CONTROL_ERRORS}, **control},
        },
        "/_mock/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                        "responses": {"200": {"description": "OpenAPI 3.1"}, **_CONTROL_ERRORS},
                                        **control}},
    }
    schemas = {
        "Error": {
            "type": "object", "required": ["error", "message", "args"],
            "properties": {"error": {"type": "string", "enum": sorted(ERRORS)},
                           "message": {"type": "string", "description": "A sentence a person can act on."},
                           "args": {"type": "object", "description": "The values the message was made from."}},
        },
        "RegenerationAccepted": {
            "type": "object", "required": ["accountId", "date", "version", "readyAt"],
            "properties": {"accountId": {"type": "integer"}, "date": {"type": "string", "example": "03-03-2023"},
                           "version": {"type": "integer", "minimum": 1},
                           "readyAt": {"type": "string", "format": "date-time"}},
        },
        "Clock": {"type": "object", "properties": {"now": {"type": "string", "format": "date-time"},
                                                   "frozen": {"type": "boolean"},
                                                   "real": {"type": "boolean",
                                                            "description": "true: the machine's UTC time"}}},
        "ClockChange": {"type": "object", "additionalProperties": False, "minProperties": 1,
                        "properties": {"now": {**_NULLABLE_INSTANT, "description": "null: back to real time"},
                                       "advance_seconds": {"type": "number"}, "frozen": {"type": "boolean"}}},
        "AccountPatch": {"type": "object", "additionalProperties": False,
                         "properties": {"plan": {"type": ["string", "null"]}, "plan_since": _NULLABLE_INSTANT,
                                        "rawlogs_enabled_at": _NULLABLE_INSTANT,
                                        "cleanup_days": {"type": ["integer", "null"], "minimum": 0, "maximum": 999}}},
        "ProjectPatch": {"type": "object", "additionalProperties": False,
                         "properties": {"cleanup_days": {"type": ["integer", "null"], "minimum": 0, "maximum": 999}}},
        "UserPut": {"type": "object", "additionalProperties": False, "required": ["password", "account"],
                    "properties": {"password": {"type": "string"}, "account": {"type": "integer"},
                                   "roles": {"type": "array", "items": {"type": "string"}},
                                   "admin": {"type": "boolean"}}},
        "User": {"type": "object", "properties": {"login": {"type": "string"}, "account": {"type": "integer"},
                                                  "roles": {"type": "array", "items": {"type": "string"}},
                                                  "admin": {"type": "boolean"}}},
        "Account": {"type": "object", "properties": {
            "id": {"type": "integer"}, "plan": {"type": ["string", "null"]}, "plan_since": _NULLABLE_INSTANT,
            "rawlogs_enabled_at": _NULLABLE_INSTANT, "rawlogs_enabled_from": _NULLABLE_INSTANT,
            "enabled": {"type": "boolean"}, "cleanup_days": {"type": ["integer", "null"]},
            "retention_days": {"type": ["integer", "null"]}, "retention_history": {"type": "array"},
            "projects": {"type": "array"}, "users": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
            "pending_regenerations": {"type": "array"}}},
        "DayFiles": {"type": "object", "properties": {
            "accountId": {"type": "integer"}, "now": {"type": "string", "format": "date-time"},
            "days": {"type": "array", "items": {"type": "object", "properties": {
                "date": {"type": "string"},
                "status": {"type": "string", "enum": ["available", "pending_regeneration", "generation_pending",
                                                      "not_generated_yet", "before_enablement", "cleaned",
                                                      "disabled"]},
                "dueAt": {"type": "string", "format": "date-time"},
                "servedVersion": {"type": ["integer", "null"]},
                "readyAt": _NULLABLE_INSTANT,
                "versions": {"type": "array"}, "url": {"type": "string"}}}}}},
        "FaultAdd": {"type": "object", "additionalProperties": False, "required": ["status"],
                     "properties": {
                         "status": {"type": "integer", "enum": sorted(FAULT_CODES)},
                         "times": {"type": "integer", "minimum": 1, "maximum": MAX_FAULT_TIMES, "default": 1},
                         "path": {"type": ["string", "null"], "example": "/restapi/rawlogs/03-03-2026.csv",
                                  "description": "The exact request path; null or absent: every platform path"},
                         "retry_after": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_RETRY_AFTER,
                                         "description": "Seconds, sent as the Retry-After header"}}},
        "Fault": {"type": "object", "properties": {
            "id": {"type": "integer"}, "status": {"type": "integer"}, "times": {"type": "integer"},
            "remaining": {"type": "integer"}, "path": {"type": ["string", "null"]},
            "retry_after": {"type": ["integer", "null"]}}},
        "Faults": {"type": "object", "properties": {"faults": {"type": "array",
                                                              "items": {"$ref": "#/components/schemas/Fault"}}}},
        "Journal": {"type": "object", "properties": {"capacity": {"type": "integer"}, "total": {"type": "integer"},
                                                     "requests": {"type": "array"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "jaicp-mock", "version": VERSION,
                 "description": "A local mock of JAICP's daily raw-log CSV export (/restapi/rawlogs) with the "
                                "platform's rules on a controllable clock, and its control API (/_mock)."},
        "servers": [{"url": server_url}],
        "tags": [{"name": "raw logs", "description": "The mocked JAICP endpoints"},
                 {"name": "control", "description": "The mock's control API (loopback or bearer token)"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"},
                                "controlToken": {"type": "http", "scheme": "bearer",
                                                 "description": "Only when the server runs with --control-token"}},
            "schemas": schemas,
        },
    }
