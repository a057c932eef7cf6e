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
from typing import TypeVar

from flask import Blueprint, Response, jsonify, request
from werkzeug.http import http_date
from werkzeug.wsgi import wrap_file

from generators.schema import file_day, parse_file_day
from mock_server.auth import authenticate
from mock_server.clock import format_instant
from mock_server.config import AccountConfig
from mock_server.context import RequestInfo, current_state, request_info
from mock_server.control.views import RegenerationAccepted
from mock_server.errors import ApiError, shown
from mock_server.rules import Refuse, Serve, authorize_download, authorize_regeneration, is_supported_day
from mock_server.state import FileStore, MockState, Snapshot
from mock_server.state.files import Growing
from mock_server.urls import RAWLOGS_PREFIX, RUN_PREFIX

T = TypeVar("T")

ACCOUNT_ID = re.compile(r"[0-9]{1,16}")
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
        info.now = state.now_of(info.snapshot)
    return info.snapshot


def accepted(decision: T | Refuse) -> T:
    """The rule's go-ahead, or the error it decided on, raised."""
    if isinstance(decision, Refuse):
        raise ApiError(decision.code, **decision.args)
    return decision


def parse_day(text: str, suffix: str, example: str) -> date:
    """A real calendar day from ``dd-mm-yyyy`` + ``suffix`` (ASCII digits only), or a 400 ``rawlogs.bad_date``."""
    if text.endswith(suffix):
        try:
            parsed = parse_file_day(text[:len(text) - len(suffix)])
        except ValueError:
            parsed = None
        if parsed is not None and is_supported_day(parsed):
            return parsed
    shape = "dd-mm-yyyy.csv" if suffix else "dd-MM-yyyy"
    raise ApiError("rawlogs.bad_date", value=shown(text), shape=shape, example=example)


@blueprint.get(f"{RAWLOGS_PREFIX}/<name>", provide_automatic_options=False)
def download(name: str) -> Response:
    """``GET|HEAD /restapi/rawlogs/<dd>-<mm>-<yyyy>.csv``: the user's account's file for that day."""
    state = current_state()
    info = request_info()
    snapshot = request_snapshot(state, info)
    user = authenticate(state, snapshot, info)
    accepted(authorize_download(user))
    day = parse_day(name, ".csv", "03-03-2023.csv")
    assert info.now is not None  # set with the snapshot
    served = accepted(state.download(snapshot, user.account_id, day, info.now))
    info.version = served.version
    config = snapshot.accounts[user.account_id].config
    try:
        return _day_file_response(state.files, config, day, served)
    except FileNotFoundError:  # the data dir was cleaned under a running server: make the file again
        state.files.forget(state.files.path(config, day, served.version))
        return _day_file_response(state.files, config, day, served)


def _day_file_response(files: FileStore, config: AccountConfig, day: date, served: Serve) -> Response:
    found = files.start(config, day, served.version)
    path = found.path if isinstance(found, Growing) else found[0]
    name, etag = f"{file_day(day)}.csv", f"{path.parent.name}-{day.isoformat()}-v{served.version}"
    if isinstance(found, Growing):
        return growing_response(found, name=name, version=served.version, etag=etag,
                                last_modified=served.generated_at)
    return file_response(files, path, found[1], name=name, version=served.version, etag=etag,
                         last_modified=served.generated_at)


def growing_response(growing: Growing, *, name: str, version: int, etag: str, last_modified: datetime) -> Response:
    """A file still being generated, streamed as it grows: its length is not known yet, so no Content-Length
    (HTTP/1.1 chunked) and no ranges (a Range header is ignored, as RFC 9110 allows: the whole file, 200)."""
    headers = [pair for pair in _file_headers(name, version, etag, last_modified) if pair[0] != "Accept-Ranges"]
    response = Response(growing.chunks() if request.method != "HEAD" else (), headers=headers)
    if any(key in request.environ for key in CONDITIONAL_HEADERS):
        response.make_conditional(request.environ, accept_ranges=False)
    return response


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


@blueprint.route(f"{RUN_PREFIX}/<account_id>/<day_text>", methods=["GET", "POST"],
                 provide_automatic_options=False)
def regenerate(account_id: str, day_text: str) -> tuple[Response, int]:
    """``GET|POST /restapi/rawlogs/run/<accountId>/<dd>-<MM>-<yyyy>[?force=true]``: (re)generate a day."""
    if request.method == "HEAD":  # Flask adds HEAD to every GET route; a HEAD must not start a job
        raise ApiError("rawlogs.method_not_allowed", headers={"Allow": "GET, POST"}, method="HEAD",
                       path=request.path, allowed="GET, POST")
    state = current_state()
    user = authenticate(state, request_snapshot(state))
    if not user.admin:
        accepted(authorize_regeneration(user, user.account_id))
    if ACCOUNT_ID.fullmatch(account_id) is None:
        raise ApiError("rawlogs.bad_account_id", value=shown(account_id))
    target = int(account_id)
    accepted(authorize_regeneration(user, target))
    day = parse_day(day_text, "", "03-03-2023")
    force = parse_force(request.args.getlist("force"))
    decision = accepted(state.regenerate(target, day, force=force))
    answer = RegenerationAccepted(accountId=target, date=file_day(day), version=decision.version,
                                  readyAt=format_instant(decision.ready_at))
    return jsonify(answer.json()), 202


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
