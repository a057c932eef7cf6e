"""The platform's endpoints: download a day's raw-log CSV, and regenerate a day.

Handlers only authenticate, parse and translate: every decision comes from :mod:`mock_server.rules`, every
error from :mod:`mock_server.errors`. Path segments are hostile input: a day is accepted only if it matches
``dd-mm-yyyy`` in ASCII digits and is a real calendar date, and no filesystem path is ever built from the
request (the file's path comes from the parsed date's numbers and the user's account).
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, current_app, g, jsonify, request, send_file

from mock_server.auth import authenticate
from mock_server.clock import format_instant, from_micros
from mock_server.errors import ApiError
from mock_server.rules import (
    Refuse,
    authorize_download,
    authorize_regeneration,
    file_day,
    resolve_download,
)
from mock_server.state import MockState

EXTENSION_KEY = "jaicp_mock"
FILE_NAME = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})\.csv")
RUN_DAY = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
ACCOUNT_ID = re.compile(r"[0-9]{1,16}")
SHOWN_VALUE_LIMIT = 80

blueprint = Blueprint("rawlogs", __name__)


def current_state() -> MockState:
    return current_app.extensions[EXTENSION_KEY]


def refuse(decision: object) -> None:
    """Raise the error a rule decided on, if it decided on one."""
    if isinstance(decision, Refuse):
        raise ApiError(decision.code, **decision.args)


def shown(value: str) -> str:
    """A request value for a message, cut short so a hostile 10 kB path does not echo back whole."""
    return value if len(value) <= SHOWN_VALUE_LIMIT else value[:SHOWN_VALUE_LIMIT] + "..."


def parse_day(text: str, pattern: re.Pattern[str], shape: str, example: str) -> date:
    """A real calendar day from ``dd-mm-yyyy`` (ASCII digits only), or a 400 ``rawlogs.bad_date``."""
    match = pattern.fullmatch(text)
    if match is not None:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise ApiError("rawlogs.bad_date", value=shown(text), shape=shape, example=example)


@blueprint.get("/restapi/rawlogs/<name>", provide_automatic_options=False)
def download(name: str) -> Response:
    """``GET|HEAD /restapi/rawlogs/<dd>-<mm>-<yyyy>.csv``: the user's account's file for that day."""
    state = current_state()
    user = authenticate(state)
    refuse(authorize_download(user))
    day = parse_day(name, FILE_NAME, "dd-mm-yyyy.csv", "03-03-2023.csv")
    snapshot = state.snapshot()
    account = snapshot.accounts[user.account_id]
    now = from_micros(snapshot.clock.now_micros(state.clock.real_micros()))
    decision = resolve_download(account, day, now, state.policy, snapshot.regenerations_of(account.id, day))
    refuse(decision)
    path = state.file_path(account.id, day, decision.version)
    g.served_version = decision.version
    response = send_file(path, mimetype="text/csv", conditional=True, max_age=None,
                         etag=f"{path.parent.name}-{day.isoformat()}-v{decision.version}",
                         last_modified=decision.generated_at)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_day(day)}.csv"'
    response.headers["X-Rawlogs-Version"] = str(decision.version)
    return response


@blueprint.route("/restapi/rawlogs/run/<account_id>/<day_text>", methods=["GET", "POST"],
                 provide_automatic_options=False)
def regenerate(account_id: str, day_text: str) -> tuple[Response, int]:
    """``GET|POST /restapi/rawlogs/run/<accountId>/<dd>-<MM>-<yyyy>[?force=true]``: (re)generate a day."""
    if request.method == "HEAD":  # Flask adds HEAD to every GET route; a HEAD must not start a job
        raise ApiError("rawlogs.method_not_allowed", headers={"Allow": "GET, POST"}, method="HEAD",
                       path=request.path, allowed="GET, POST")
    state = current_state()
    user = authenticate(state)
    if not user.admin:
        refuse(authorize_regeneration(user, user.account_id))
    if ACCOUNT_ID.fullmatch(account_id) is None:
        raise ApiError("rawlogs.bad_account_id", value=shown(account_id))
    target = int(account_id)
    refuse(authorize_regeneration(user, target))
    day = parse_day(day_text, RUN_DAY, "dd-MM-yyyy", "03-03-2023")
    force = parse_force(request.args.getlist("force"))
    decision = state.regenerate(target, day, force=force)
    refuse(decision)
    return jsonify({"accountId": target, "date": file_day(day), "version": decision.version,
                    "readyAt": format_instant(decision.ready_at)}), 202


def parse_force(values: list[str]) -> bool:
    """``force`` absent, ``true`` or ``false`` (any case); anything else, or several values, is a 400."""
    if not values:
        return False
    if len(values) == 1 and values[0].lower() in ("true", "false"):
        return values[0].lower() == "true"
    raise ApiError("rawlogs.bad_force", value=shown(",".join(values)))
