"""The Flask app factory: the platform's raw-log endpoints and the control API over one :class:`MockState`.

``create_app(config)`` builds a fresh app with its own state (nothing is module-global), so the CLI, the
pytest plugin's live server and its in-process client can each have their own, or share one data dir.

Error handling is central: every error, including a path no route knows, a wrong method and an exception
nobody expected, leaves as the JSON envelope of :mod:`mock_server.errors`. Each request is logged as one
access-log line (method, path, status, the login once it authenticated, duration; never a credential) and,
outside the control API, recorded in the request journal; both by a thin WSGI middleware (:class:`_Observed`),
which also answers the faults injected through ``/_mock/faults`` before the app (and authentication) runs.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestedRangeNotSatisfiable

from mock_server.access import LOGGER as access_log
from mock_server.access import AccessLog, format_line, printable
from mock_server.auth import check_control_access
from mock_server.clock import Clock
from mock_server.config import MockConfig, demo_config
from mock_server.context import ENVIRON_KEY, EXTENSION_KEY, RequestInfo, request_info, state_of
from mock_server.errors import FAULT_CODES, ApiError, error_response
from mock_server.rawlogs import request_snapshot, shown
from mock_server.state import Fault, JournalEntry, MockState

CONTROL_PREFIX = "/_mock/"
TOKEN_KEY = "JAICP_MOCK_CONTROL_TOKEN"
MAX_BODY_BYTES = 64 * 1024
JOURNALED_HEADERS = (("Range", "HTTP_RANGE"), ("If-None-Match", "HTTP_IF_NONE_MATCH"),
                     ("If-Modified-Since", "HTTP_IF_MODIFIED_SINCE"), ("If-Range", "HTTP_IF_RANGE"),
                     ("User-Agent", "HTTP_USER_AGENT"), ("Content-Type", "CONTENT_TYPE"))
"""Request headers the journal keeps (name, WSGI environ key); never Authorization, which is redacted."""

error_log = logging.getLogger("jaicp_mock.errors")
__all__ = ["create_app", "state_of"]


def create_app(config: MockConfig | None = None, *, data_dir: str | Path | None = None, clock: Clock | None = None,
               control_token: str | None = None, state: MockState | None = None,
               access_log_sink: AccessLog | None = None) -> Flask:
    """A mock JAICP serving ``config`` (the built-in demo when None).

    ``data_dir``: where state and files live (a temporary folder, removed by ``state_of(app).close()``,
    when None). ``clock``: the initial clock (real UTC when None). ``control_token``: require
    ``Authorization: Bearer <token>`` on ``/_mock/`` instead of a loopback client. ``state``: serve an existing
    state instead of opening one. ``access_log_sink``: where access-log lines go (see :mod:`mock_server.access`;
    without one they go to the ``jaicp_mock.access`` logger when it is enabled for INFO).
    """
    from mock_server.control import blueprint as control_blueprint
    from mock_server.rawlogs import blueprint as rawlogs_blueprint

    if state is None:
        state = MockState(config if config is not None else demo_config(), data_dir, clock=clock)
    app = Flask("mock_server")
    app.json.sort_keys = False
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False)
    app.config[TOKEN_KEY] = control_token
    app.extensions[EXTENSION_KEY] = state
    app.register_blueprint(rawlogs_blueprint)
    app.register_blueprint(control_blueprint)
    app.wsgi_app = _Observed(app.wsgi_app, state, control_token, access_log_sink)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    return app


def _is_control(path: str) -> bool:
    return path == CONTROL_PREFIX.rstrip("/") or path.startswith(CONTROL_PREFIX)


class _Observed:
    """WSGI middleware around the Flask app: control-API access, the access log and the journal.

    Doing this around the app rather than in ``before_request``/``after_request`` hooks keeps Flask's
    per-hook overhead off every download, and lets the control-API check refuse paths no route knows too.
    What the request learned inside the app (login, served version, error code) arrives in its RequestInfo.
    """

    def __init__(self, wsgi_app, state: MockState, control_token: str | None, access: AccessLog | None) -> None:
        self.wsgi_app = wsgi_app
        self.state = state
        self.control_token = control_token
        self.access = access

    def __call__(self, environ: dict, start_response):
        info = environ[ENVIRON_KEY] = RequestInfo(time.perf_counter())
        path = environ.get("PATH_INFO", "")
        control = _is_control(path)
        statuses: list[str] = []

        def capture(status: str, headers, exc_info=None):
            statuses.append(status)
            return start_response(status, headers, exc_info)

        if control:
            try:
                check_control_access(environ, self.control_token)
            except ApiError as refusal:
                info.error = refusal.code
                result = refusal.response()(environ, capture)
                self._observe(environ, info, path, statuses, control)
                return result
        elif request_snapshot(self.state, info).faults:  # the snapshot the handler reads anyway: free when empty
            fault = self.state.take_fault(path if path.isascii() else _wsgi_text(path), info.snapshot)
            if fault is not None:
                result = _fault_response(fault, info)(environ, capture)
                self._observe(environ, info, path, statuses, control)
                return result
        result = self.wsgi_app(environ, capture)
        self._observe(environ, info, path, statuses, control)
        return result

    def _observe(self, environ: dict, info: RequestInfo, path: str, statuses: list[str], control: bool) -> None:
        duration_ms = (time.perf_counter() - info.started) * 1000
        status = int(statuses[-1][:3]) if statuses else 0
        query = environ.get("QUERY_STRING", "")
        method = environ.get("REQUEST_METHOD", "")
        remote = environ.get("REMOTE_ADDR")
        if not path.isascii():
            path = _wsgi_text(path)
        if self.access is not None:
            self.access.add((time.time(), remote, method, path, query, status, info.login, duration_ms))
        elif access_log.isEnabledFor(logging.INFO):
            access_log.info("%s", format_line((0, remote, method, path, query, status, info.login, duration_ms)))
        if control:
            return
        headers = {name: environ[key] for name, key in JOURNALED_HEADERS if key in environ}
        if "HTTP_AUTHORIZATION" in environ:
            scheme = environ["HTTP_AUTHORIZATION"].partition(" ")[0]
            headers["Authorization"] = f"{scheme[:20]} [redacted]"
        self.state.journal.record(JournalEntry(
            info.now if info.now is not None else self.state.now(), method, path,
            query if query.isascii() else _wsgi_text(query), status, info.login, info.error, info.version,
            duration_ms, remote, headers))


def _fault_response(fault: Fault, info: RequestInfo) -> Response:
    """The answer of an injected fault: the envelope with the fault's status (and Retry-After, when set)."""
    code = info.error = FAULT_CODES[fault.status]
    headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
    return error_response(code, headers=headers, faultId=fault.id, remaining=fault.remaining,
                          retryAfter=fault.retry_after)


def _wsgi_text(text: str) -> str:
    """A WSGI environ string (bytes as latin-1) as the UTF-8 text the client sent."""
    try:
        return text.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text


def _api_error(error: ApiError) -> Response:
    request_info().error = error.code
    return error.response()


def _http_error(error: HTTPException) -> Response:
    """Werkzeug's HTTP errors (unknown path, wrong method, bad range, body too large) as the envelope."""
    if error.code is None or error.code < 400:
        return error.get_response()
    prefix = "mock" if _is_control(request.path) else "rawlogs"
    path = shown(request.path)
    if error.code == 404:
        code, args, headers = f"{prefix}.not_found", {"path": path}, {}
    elif error.code == 405:
        allowed = sorted(set(getattr(error, "valid_methods", None) or ()) - {"OPTIONS"})
        if request.path.startswith("/restapi/rawlogs/run/"):
            allowed = [method for method in allowed if method != "HEAD"]
        text = ", ".join(allowed)
        code, args, headers = f"{prefix}.method_not_allowed", {
            "method": request.method, "path": path, "allowed": text}, {"Allow": text}
    elif isinstance(error, RequestedRangeNotSatisfiable):
        code, args, headers = "rawlogs.range_not_satisfiable", {"length": error.length}, {}
        if error.length is not None:
            headers["Content-Range"] = f"bytes */{error.length}"
    elif error.code == 400 and prefix == "mock":
        code, args, headers = "mock.bad_json", {}, {}
    elif error.code == 400:
        code, args, headers = "rawlogs.bad_request", {"detail": error.description or "malformed request"}, {}
    else:
        code, args, headers = "rawlogs.http_error", {"detail": f"{error.code} {error.name}"}, {}
        request_info().error = code
        return error_response(code, status=error.code, headers=headers, **args)
    request_info().error = code
    return error_response(code, headers=headers, **args)


def _unexpected(error: Exception) -> Response:
    """The safety net: log the traceback, answer with the envelope. Tests check it is never reached."""
    error_log.exception("unexpected error on %s %s", request.method, printable(request.path))
    request_info().error = "rawlogs.internal"
    return error_response("rawlogs.internal")
