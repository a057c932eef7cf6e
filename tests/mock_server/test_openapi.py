"""The OpenAPI document against the server: live answers of every operation match it (schemathesis, every
check), every operation is driven to a success at least once, and every error code the server has belongs to a
documented response with its own status."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from mock_server.errors import ERRORS
from mock_server.openapi import OPERATIONS, PAGE_ERRORS, TASK_ERRORS, UNROUTED_ERRORS, openapi_document
from mock_server.state import MockState
from tests.support import ANALYST, basic, bearer

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
SEMANTIC_LIMITS = {"POST /_mock/clock", "POST /_mock/faults", "GET /_mock/accounts/{accountId}/files",
                   "PUT /_mock/users/{login}",
                   *(f"POST /api/v1/async/reporter/reports/{kind}" for kind in ("sessions", "messages", "clients",
                                                                               "daily"))}
"""Operations with a limit JSON Schema cannot state (a clock that stays within the years 1900-9998 after an
advance; a printable path; 'from' not after 'to' and at most 400 days apart; a known time zone and a token no
other user has; a report's ranges ordered, its period in the past, its date pattern valid): a schema-valid
request may get its documented 400, so for these the check that every schema-valid request succeeds is left
out (every other check runs)."""

NEEDS_SETUP = {"DELETE /_mock/faults/{faultId}", "POST /_mock/reports/{taskId}/fail",
               "GET /_mock/reports/{taskId}/rows",
               "GET /api/v1/reporter/reports/tasks/{taskId}", "DELETE /api/v1/reporter/reports/tasks/{taskId}",
               "GET /api/v1/reporter/reports/tasks/{taskId}/file", "HEAD /api/v1/reporter/reports/tasks/{taskId}/file",
               "GET /api/v1/async/events"}
"""Succeed only on a fault or a report task made by an earlier request, and every case here starts from a reset
state (test_faults.py and tests/mock_server/test_reporter.py make them)."""


def _operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/_mock/openapi.json", app, environ_base=LOOPBACK)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def schema_operations(app):
    return _operations(app)


def test_every_operation_of_the_document_is_exercised(schema_operations):
    """All but the document itself, which schemathesis loads rather than tests."""
    labels = {operation.label for operation in schema_operations}
    assert labels == {f"{operation.method.upper()} {operation.path}" for operation in OPERATIONS} - {
        "GET /_mock/openapi.json"}


def _exercise(operation, mode: schemathesis.GenerationMode, state: MockState, seen: Callable[[int], None]) -> None:
    """Generated requests to one operation, each from a freshly reset state, every check of schemathesis."""
    excluded = [schemathesis.checks.positive_data_acceptance] if operation.label in SEMANTIC_LIMITS else []
    strategies = [operation.as_strategy(generation_mode=mode)]
    if mode is POSITIVE:  # the document's examples are this server's real days and ids
        strategies += operation.get_strategies_from_examples()

    @settings(max_examples=30, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies), analyst=st.booleans())
    def run(case, analyst):
        state.reset()
        login = ANALYST if analyst else "admin"
        headers = bearer(login) if operation.path.startswith("/api/") else basic(login)
        response = case.call_and_validate(headers=headers, environ_base=LOOPBACK, excluded_checks=excluded)
        seen(response.status_code)

    run()


@pytest.mark.slow
def test_live_answers_match_the_document_and_every_operation_succeeds(state, schema_operations):
    statuses: dict[str, set[int]] = {}
    for operation in schema_operations:
        _exercise(operation, POSITIVE, state, statuses.setdefault(operation.label, set()).add)
    failing = {label for label, seen in statuses.items() if not any(200 <= status < 400 for status in seen)}
    assert failing == NEEDS_SETUP


@pytest.mark.slow
def test_schema_violating_requests_are_refused(state, schema_operations):
    statuses: dict[str, set[int]] = {}
    unbreakable = set()
    for operation in schema_operations:
        try:
            _exercise(operation, NEGATIVE, state, statuses.setdefault(operation.label, set()).add)
        except Unsatisfiable:  # every request this operation can receive is valid (e.g. a bare GET)
            unbreakable.add(operation.label)
    refused = {label for label, seen in statuses.items() if any(400 <= status < 500 for status in seen)}
    assert refused | unbreakable == {operation.label for operation in schema_operations}
    assert len(refused) >= 12, sorted(unbreakable)


def test_every_error_code_belongs_to_a_response_with_its_status():
    document = openapi_document()
    documented: dict[str, set[int]] = {}
    for item in document["paths"].values():
        for described in item.values():
            for status, response in described["responses"].items():
                for code in ERRORS:
                    if f" {code}," in f" {response['description'].removeprefix('Codes: ').rstrip('.')},":
                        documented.setdefault(code, set()).add(int(status))
    assert set(documented) | set(UNROUTED_ERRORS) | set(TASK_ERRORS) | set(PAGE_ERRORS) == set(ERRORS)
    assert all(statuses == {ERRORS[code].status} for code, statuses in documented.items())
