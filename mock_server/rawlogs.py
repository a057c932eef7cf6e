"""The platform's endpoints: download a day's raw-log CSV, and regenerate a day.

Handlers only authenticate, parse and translate: every decision comes from :mod:`mock_server.rules`, every
error from :mod:`mock_server.errors`. Path segments are hostile input: a day is accepted only if it matches
``dd-mm-yyyy`` in ASCII digits and is a real calendar date, and no filesystem path is ever built from the
request (the file's path comes from the parsed date's numbers and the user's account).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, Response, jsonify, request
from werkzeug.http import http_date
from werkzeug.wsgi import wrap_file

from mock_server.auth import authenticate
from mock_server.clock import format_instant, from_micros
from mock_server.context import RequestInfo, current_state, request_info
from mock_server.errors import ApiError
from mock_server.rules import (
    Refuse,
    authorize_download,
    authorize_regeneration,
    file_day,
    is_supported_day,
    resolve_download,
)
from mock_server.state import FileStore, MockState, Snapshot

FILE_NAME = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})\.csv")
RUN_DAY = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
ACCOUNT_ID = re.compile(r"[0-9]{1,16}")
SHOWN_VALUE_LIMIT = 80
INLINE_LIMIT = 256 * 1024
"""Files up to this size are sent as one buffer; bigger ones are streamed."""
CONDITIONAL_HEADERS = ("HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                       "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")

blueprint = Blueprint("rawlogs", __name__)


def request_snapshot(state: MockState, info: RequestInfo | None = None) -> Snapshot:
    """The state as of this request, read once, with the clock's now in the request's info."""
    info = info or request_info()
    if info.snapshot is None:
        info.snapshot = state.snapshot()
        info.now = from_micros(info.snapshot.clock.now_micros(state.clock.real_micros()))
    return info.snapshot


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
            parsed = date(year, month, day)
        except ValueError:
            parsed = None
        if parsed is not None and is_supported_day(parsed):
            return parsed
    raise ApiError("rawlogs.bad_date", value=shown(text), shape=shape, example=example)


@blueprint.get("/restapi/rawlogs/<name>", provide_automatic_options=False)
def download(name: str) -> Response:
    """``GET|HEAD /restapi/rawlogs/<dd>-<mm>-<yyyy>.csv``: the user's account's file for that day."""
    state = current_state()
    info = request_info()
    snapshot = request_snapshot(state, info)
    user = authenticate(state, snapshot, info)
    refuse(authorize_download(user))
    day = parse_day(name, FILE_NAME, "dd-mm-yyyy.csv", "03-03-2023.csv")
    account = snapshot.accounts[user.account_id]
    decision = resolve_download(account, day, info.now, state.policy, snapshot.regenerations_of(account.id, day))
    refuse(decision)
    info.version = decision.version
    path, size = state.files.open(account.config, day, decision.version)
    try:
        return file_response(state.files, path, size, name=f"{file_day(day)}.csv", version=decision.version,
                             etag=f"{path.parent.name}-{day.isoformat()}-v{decision.version}",
                             last_modified=decision.generated_at)
    except FileNotFoundError:  # the data dir was cleaned under a running server: make the file again
        state.files.forget(path)
        path, size = state.files.open(account.config, day, decision.version)
        return file_response(state.files, path, size, name=f"{file_day(day)}.csv", version=decision.version,
                             etag=f"{path.parent.name}-{day.isoformat()}-v{decision.version}",
                             last_modified=decision.generated_at)


def file_response(files: FileStore, path: Path, size: int, *, name: str, version: int, etag: str,
                  last_modified: datetime) -> Response:
    """A version's file with the export's headers; conditional GET and Range as Werkzeug's ``send_file`` does.

    Three shortcuts keep a small download close to a bare route's speed without changing any answer: files up to
    ``INLINE_LIMIT`` are sent as one buffer (bigger ones stream through the server's file wrapper, in constant
    memory; small ones are kept in memory, see ``FileStore.read_cached``), and the conditional/range machinery
    runs only when the request carries one of its headers.
    """
    environ = request.environ
    headers = _file_headers(name, version, etag, last_modified)
    if size <= INLINE_LIMIT:
        response = Response(files.read_cached(path), headers=headers)
    else:
        stream = open(path, "rb")  # noqa: SIM115 - the server closes it when the body is sent
        response = Response(wrap_file(environ, stream), headers=headers, direct_passthrough=True)
        response.content_length = size
    if any(key in environ for key in CONDITIONAL_HEADERS):
        response.make_conditional(environ, accept_ranges=True, complete_length=size)
    return response


@blueprint.route("/restapi/rawlogs/run/<account_id>/<day_text>", methods=["GET", "POST"],
                 provide_automatic_options=False)
def regenerate(account_id: str, day_text: str) -> tuple[Response, int]:
    """``GET|POST /restapi/rawlogs/run/<accountId>/<dd>-<MM>-<yyyy>[?force=true]``: (re)generate a day."""
    if request.method == "HEAD":  # Flask adds HEAD to every GET route; a HEAD must not start a job
        raise ApiError("rawlogs.method_not_allowed", headers={"Allow": "GET, POST"}, method="HEAD",
                       path=request.path, allowed="GET, POST")
    state = current_state()
    user = authenticate(state, request_snapshot(state))
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


@functools.lru_cache(maxsize=1024)
def _file_headers(name: str, version: int, etag: str, last_modified: datetime) -> tuple[tuple[str, str], ...]:
    """The export's headers for one version's file (the same on every download of it, so made once)."""
    return (
        ("Content-Type", "text/csv; charset=utf-8"),
        ("Content-Disposition", f'attachment; filename="{name}"'),
        ("ETag", f'"{etag}"'),
        ("Last-Modified", http_date(last_modified)),
        ("Accept-Ranges", "bytes"),
        ("X-Rawlogs-Version", str(version)),
    )


def parse_force(values: list[str]) -> bool:
    """``force`` absent, ``true`` or ``false`` (any case); anything else, or several values, is a 400."""
    if not values:
        return False
    if len(values) == 1 and values[0].lower() in ("true", "false"):
        return values[0].lower() == "true"
    raise ApiError("rawlogs.bad_force", value=shown(",".join(values)))
