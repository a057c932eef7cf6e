"""The platform's endpoints: download a day's raw-log CSV, and regenerate a day.

Handlers only authenticate, parse and translate: every decision comes from :mod:`mock_server.rules`, every
error from :mod:`mock_server.errors`. Path segments are hostile input: a day is accepted only if it matches
``dd-mm-yyyy`` in ASCII digits and is a real calendar date, and no filesystem path is ever built from the
request (the file's path comes from the parsed date's numbers and the user's account).
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from flask import Blueprint, Response, jsonify, request
from werkzeug.http import http_date, parse_accept_header
from werkzeug.wsgi import wrap_file

from generators.schema import file_day, parse_file_day
from mock_server.auth import authenticate
from mock_server.clock import format_instant
from mock_server.conditional import Outcome, evaluate
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

CACHE_CONTROL = "private, no-cache"
"""A cache may keep a file but must revalidate it (a regeneration changes it under the same URL)."""

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
                         last_modified=served.generated_at, compress=config.compression)


def growing_response(growing: Growing, *, name: str, version: int, etag: str, last_modified: datetime) -> Response:
    """A file still being generated, streamed as it grows: its length is not known yet, so no Content-Length
    (HTTP/1.1 chunked) and no ranges (a Range header is ignored, as RFC 9110 allows: the whole file, 200)."""
    headers = [pair for pair in _file_headers(name, version, f'"{etag}"', last_modified)
               if pair[0] != "Accept-Ranges"]
    if any(key in request.environ for key in CONDITIONAL_HEADERS):
        outcome = evaluate(request.method, _lower_headers(), f'"{etag}"', last_modified, None)
        if outcome.status == 412:
            raise ApiError("rawlogs.precondition_failed")
        if outcome.status == 304:
            return _validators_only(headers)
    # HEAD: an empty iterator, not (): Werkzeug would count a tuple's bytes and claim Content-Length: 0
    return Response(growing.chunks() if request.method != "HEAD" else iter(()), headers=headers)


def file_response(files: FileStore, path: Path, size: int, *, name: str, version: int, etag: str,
                  last_modified: datetime, compress: bool = False) -> Response:
    """A version's file with the export's headers; conditional GET and Range as RFC 9110 says
    (:mod:`mock_server.conditional`), and a gzip/deflate body when the account has compression on.

    Files up to ``INLINE_LIMIT`` come from memory (see ``FileStore.read_cached``), bigger ones stream through the
    server's file wrapper in constant memory; the conditional machinery runs only when the request carries one
    of its headers.
    """
    environ = request.environ
    encoding = _negotiated(environ) if compress and "HTTP_RANGE" not in environ else None
    tag = f'"{etag}"' if encoding is None else f'"{etag}-{encoding}"'
    headers = [*_file_headers(name, version, tag, last_modified), *(VARY if compress else ())]
    outcome = FULL
    if any(key in environ for key in CONDITIONAL_HEADERS):
        outcome = evaluate(request.method, _lower_headers(), tag, last_modified, size)
    return OUTCOMES[outcome.status](files, path, size, headers, outcome, encoding)


VARY = (("Vary", "Accept-Encoding"),)
FULL = Outcome(200)


def _negotiated(environ: dict) -> str | None:
    """``gzip`` or ``deflate`` when the client accepts it (gzip first), else None (identity)."""
    accepted = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))
    for coding in ("gzip", "deflate"):
        if accepted[coding] > 0 or (coding not in accepted and accepted["*"] > 0):
            return coding
    return None


def _whole(files: FileStore, path: Path, size: int, headers: list, outcome: Outcome, encoding: str | None
           ) -> Response:
    if encoding is not None:
        response = Response(_compressed(_pieces(files, path, size, 0, size - 1), encoding), headers=headers)
        response.headers["Content-Encoding"] = encoding
        return response
    if size <= INLINE_LIMIT:
        return Response(files.read_cached(path), headers=headers)
    stream = open(path, "rb")  # noqa: SIM115 - the server closes it when the body is sent
    response = Response(wrap_file(request.environ, stream), headers=headers, direct_passthrough=True)
    response.content_length = size
    return response


def _pieces(files: FileStore, path: Path, size: int, first: int, last: int) -> Iterator[bytes]:
    """Bytes ``first`` to ``last`` (inclusive) of the file, in bounded pieces."""
    if size <= INLINE_LIMIT:
        yield files.read_cached(path)[first:last + 1]
        return
    with open(path, "rb") as stream:
        stream.seek(first)
        left = last + 1 - first
        while left > 0:
            piece = stream.read(min(left, 256 * 1024))
            if not piece:
                return
            left -= len(piece)
            yield piece


def _compressed(pieces: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    packer = zlib.compressobj(6, zlib.DEFLATED, 31 if encoding == "gzip" else 15)  # 31: gzip framing
    for piece in pieces:
        if packed := packer.compress(piece):
            yield packed
    yield packer.flush()


def _partial(files: FileStore, path: Path, size: int, headers: list, outcome: Outcome, encoding: str | None
             ) -> Response:
    if len(outcome.ranges) == 1:
        first, last = outcome.ranges[0]
        response = Response(_pieces(files, path, size, first, last), status=206, headers=headers)
        response.headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        response.content_length = last + 1 - first
        return response
    boundary = "jaicp-mock-" + hashlib.sha256(dict(headers)["ETag"].encode()).hexdigest()[:16]
    parts = [(f"--{boundary}\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Range: bytes {first}-{last}/{size}"
              "\r\n\r\n").encode() for first, last in outcome.ranges]
    closing = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        for index, (head, (first, last)) in enumerate(zip(parts, outcome.ranges, strict=True)):
            yield (b"\r\n" if index else b"") + head
            yield from _pieces(files, path, size, first, last)
        yield closing

    kept = [(key, value) for key, value in headers if key != "Content-Type"]
    response = Response(body(), status=206, headers=kept, content_type=f"multipart/byteranges; boundary={boundary}")
    response.content_length = (sum(map(len, parts)) + 2 * (len(parts) - 1) + len(closing)
                               + sum(last + 1 - first for first, last in outcome.ranges))
    return response


def _not_modified(files: FileStore, path: Path, size: int, headers: list, outcome: Outcome, encoding: str | None
                  ) -> Response:
    return _validators_only(headers)


def _validators_only(headers: list) -> Response:
    """304: the validators and caching headers, no body."""
    kept = [(key, value) for key, value in headers if key in ("ETag", "Last-Modified", "Cache-Control", "Vary")]
    return Response(status=304, headers=kept)


def _lower_headers() -> dict[str, str]:
    return {key.lower(): value for key, value in request.headers.items()}


def _failed_precondition(files: FileStore, path: Path, size: int, headers: list, outcome: Outcome,
                         encoding: str | None) -> Response:
    raise ApiError("rawlogs.precondition_failed")


def _unsatisfiable(files: FileStore, path: Path, size: int, headers: list, outcome: Outcome, encoding: str | None
                   ) -> Response:
    raise ApiError("rawlogs.range_not_satisfiable", headers={"Content-Range": f"bytes */{size}"}, length=size)


OUTCOMES = {200: _whole, 206: _partial, 304: _not_modified, 412: _failed_precondition, 416: _unsatisfiable}
"""How each outcome of :func:`mock_server.conditional.evaluate` is answered."""


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
        ("ETag", etag),
        ("Last-Modified", http_date(last_modified)),
        ("Cache-Control", CACHE_CONTROL),
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
