"""The dashboard's forms (POST, each with Flask-WTF's CSRF token): they call the same functions the control API
calls, then send the browser back to the page it came from (303) with a line saying what happened or why not.

A refusal is the rule's own message (the error table's sentence), shown on the page, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from generators.schema import file_day
from mock_server.context import current_state
from mock_server.control.routes import (
    FAULT_FIELDS,
    FAULT_PARAMS,
    change_clock,
    create_fault,
    fail_task,
    remove_fault_named,
)
from mock_server.dashboard.pages import ADVANCES, account_of, blueprint, day_of, instant
from mock_server.errors import ApiError, render_message, shown
from mock_server.reports.service import FAILURE_CODES
from mock_server.rules import Refuse
from mock_server.state.faults import KIND_PARAMS
from mock_server.urls import DASHBOARD_HOME, is_dashboard_path

DONE, PROBLEM = "done", "problem"
"""The two kinds of line a form leaves on the page it returns to."""


def _back() -> Response:
    """303 to the form's ``back`` field when it is a dashboard page (never anywhere else), else the home page."""
    target = request.form.get("back", "")
    return redirect(target if is_dashboard_path(target) else DASHBOARD_HOME, 303)


def _explained(error: ApiError) -> str:
    return render_message(error.code, error.args_)


def _answer(action: Callable[[], str]) -> Response:
    """Run a form's action: its sentence on success, the refusal's message on failure; back either way."""
    try:
        flash(action(), DONE)
    except ApiError as error:
        flash(_explained(error), PROBLEM)
    return _back()


# -- the clock ---------------------------------------------------------------------------------------------------

def _set(form: MultiDict) -> dict[str, Any]:
    return {"now": form.get("now", ""), "frozen": form.get("frozen") == "on"}


def _advance(form: MultiDict) -> dict[str, Any]:
    seconds = form.get("seconds", "")
    if seconds not in ADVANCES:
        raise ApiError("mock.bad_field", field="seconds", reason=f"one of {', '.join(ADVANCES)}, got {shown(seconds)}")
    return {"advance_seconds": int(seconds)}


CLOCK_ACTIONS: dict[str, Callable[[MultiDict], dict[str, Any]]] = {
    "set": _set,
    "advance": _advance,
    "freeze": lambda form: {"frozen": True},
    "unfreeze": lambda form: {"frozen": False},
    "real": lambda form: {"now": None},
}
"""Each clock button and the change it asks of the control API's clock function."""


@blueprint.post("/dashboard/clock")
def clock() -> Response:
    def act() -> str:
        action = request.form.get("action", "")
        if action not in CLOCK_ACTIONS:
            raise ApiError("mock.bad_field", field="action", reason=f"one of {', '.join(CLOCK_ACTIONS)}")
        state = current_state()
        change_clock(state.clock, CLOCK_ACTIONS[action](request.form))
        return f"The clock now reads {instant(state.now())}."
    return _answer(act)


# -- raw-log days ------------------------------------------------------------------------------------------------

@blueprint.post("/dashboard/accounts/<account>/days/<day>/regenerate")
def regenerate(account: str, day: str) -> Response:
    """The administrator's forced run (``force=true``), decided by the same rule as the platform's endpoint."""
    def act() -> str:
        state = current_state()
        account_id, moment = account_of(state, account), day_of(day)
        decision = state.regenerate(account_id, moment, force=True)
        if isinstance(decision, Refuse):
            raise ApiError(decision.code, **decision.args)
        again = " (the pending run's wait restarted)" if decision.restarted else ""
        return f"Version {decision.version} of {file_day(moment)} lands at {instant(decision.ready_at)}{again}."
    return _answer(act)


# -- faults ------------------------------------------------------------------------------------------------------

_NUMBERS: dict[str, Callable[[str], Any]] = {"status": int, "times": int, "retry_after": int, "probability": float,
                                             "sigma": float}
"""Form fields that hold numbers and how each is read; the kinds' other numeric parameters are whole numbers."""
_KIND_SPECIFIC = frozenset(name for names in KIND_PARAMS.values() for name in names)
"""Fields only some kinds take (``status`` and ``retry_after`` too)."""


def _fault_fields(form: MultiDict) -> dict[str, Any]:
    """The form as the control API's fault body (blank fields left out); a number that does not read names its
    field. Only the chosen kind's own parameters are taken (the form shows every kind's)."""
    kind = form.get("kind", "status")
    own = KIND_PARAMS.get(kind, ())
    data: dict[str, Any] = {}
    for name in (*FAULT_FIELDS, *FAULT_PARAMS):  # in the validator's order, so the first mistake is named first
        if name in _KIND_SPECIFIC and name not in own:
            continue
        text = form.get(name, "").strip()
        if not text:
            continue
        read = _NUMBERS.get(name, int if name.endswith(("_ms", "_bytes")) else str)
        try:
            data[name] = read(text)
        except ValueError:
            raise ApiError("mock.bad_field", field=name, reason=f"a number, got {shown(text)}") from None
    return data


@blueprint.post("/dashboard/faults")
def add_fault() -> Response:
    def act() -> str:
        fault = create_fault(current_state(), _fault_fields(request.form))
        return f"Fault {fault.id} added: the next {fault.times} matching request(s) meet it."
    return _answer(act)


@blueprint.post("/dashboard/faults/<fault_id>/remove")
def remove_fault(fault_id: str) -> Response:
    def act() -> str:
        remove_fault_named(current_state(), fault_id)
        return f"Fault {fault_id} removed."
    return _answer(act)


# -- report tasks ------------------------------------------------------------------------------------------------

@blueprint.post("/dashboard/reports/<task_id>/fail")
def fail_report(task_id: str) -> Response:
    def act() -> str:
        code = request.form.get("error", FAILURE_CODES[0])
        state = current_state()
        fail_task(state, task_id, code, "injected from the mock's dashboard", state.now())
        return f"Task {task_id} failed with {code}."
    return _answer(act)


@blueprint.post("/dashboard/reports/clear")
def clear_reports() -> Response:
    return _answer(lambda: f"{current_state().reports.clear()} report task(s) cleared.")


@blueprint.post("/dashboard/journal/clear")
def clear_journal() -> Response:
    def act() -> str:
        current_state().journal.clear()
        return "The request journal is empty."
    return _answer(act)
