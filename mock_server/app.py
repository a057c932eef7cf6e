"""The Flask app factory: the platform's raw-log endpoints and the control API over one :class:`MockState`.

``create_app(config)`` builds a fresh app with its own state (nothing is module-global), so the CLI, the
pytest plugin's live server and its in-process client can each have their own, or share one data dir.

Error handling is central: every error, including a path no route knows, a wrong method and an exception
nobody expected, leaves as the JSON envelope of :mod:`mock_server.errors`. Each request is logged as one
access-log line (method, path, status, the login once it authenticated, duration; never a credential) and,
outside the control API and the browser UI, recorded in the request journal; both by a thin WSGI middleware
(:class:`_Observed`), which also answers the faults injected through ``/_mock/faults`` before the app (and
authentication) runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestedRangeNotSatisfiable
from werkzeug.http import http_date

from mock_server.access import LOGGER as access_log
from mock_server.access import AccessLog, format_line, printable
from mock_server.auth import basic_credentials, check_control_access
from mock_server.clock import Clock
from mock_server.config import MockConfig, demo_config
from mock_server.context import ENVIRON_KEY, EXTENSION_KEY, RequestInfo, request_info, state_of
from mock_server.control.routes import blueprint as control_blueprint
from mock_server.dashboard import init_dashboard
from mock_server.errors import FAULT_CODES, ApiError, error_response, shown
from mock_server.rawlogs import blueprint as rawlogs_blueprint
from mock_server.rawlogs import request_snapshot
from mock_server.reporter import blueprint as reporter_blueprint
from mock_server.state import Fault, JournalEntry, MockState
from mock_server.urls import RUN_PREFIX, is_control_path, is_dashboard_path, is_ui_path
from mock_server.web import init_web
from mock_server.wire import answer as play_network_fault

TOKEN_KEY = "JAICP_MOCK_CONTROL_TOKEN"
MAX_BODY_BYTES = 64 * 1024
JOURNALED_HEADERS = (("Range", "HTTP_RANGE"), ("If-None-Match", "HTTP_IF_NONE_MATCH"),
                     ("If-Modified-Since", "HTTP_IF_MODIFIED_SINCE"), ("If-Range", "HTTP_IF_RANGE"),
                     ("User-Agent", "HTTP_USER_AGENT"), ("Content-Type", "CONTENT_TYPE"))
"""Request headers the journal keeps (name, WSGI environ key); never Authorization, which is redacted."""

API_BLUEPRINTS = (rawlogs_blueprint, control_blueprint, reporter_blueprint)
"""The JSON APIs: each request authenticates itself, so they take no cookie and need no CSRF token."""

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
    if state is None:
        state = MockState(config if config is not None else demo_config(), data_dir, clock=clock)
    app = Flask("mock_server")
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the default provider has it
    # No automatic OPTIONS (it answered 200 HTML): every route lists its methods, others get the 405 envelope.
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False,
                      PROVIDE_AUTOMATIC_OPTIONS=False)
    app.url_map.merge_slashes = False  # a "//" is an unknown path (404 envelope), not a 308 HTML redirect
    app.config[TOKEN_KEY] = control_token
    app.extensions[EXTENSION_KEY] = state
    for blueprint in API_BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_web(app, state, api=API_BLUEPRINTS)
    init_dashboard(app)
    observed = _Observed(app.wsgi_app, state, control_token, access_log_sink)
    app.wsgi_app = observed  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    return app


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
        control = is_control_path(path)
        quiet = control or is_ui_path(path)  # what API clients did is journaled; a person's browser is not
        statuses: list[str] = []

        def capture(status: str, headers, exc_info=None):
            statuses.append(status)
            if info.now is not None:  # Date by the mock clock, like Last-Modified: one clock for both
                headers = [*headers, ("Date", http_date(info.now))]
            return start_response(status, headers, exc_info)

        if environ.get("SERVER_PROTOCOL") == "HTTP/1.1" and not environ.get("HTTP_HOST"):
            info.error = "rawlogs.bad_request"  # RFC 9112: an HTTP/1.1 request without Host is a 400
            result = error_response(info.error, detail="an HTTP/1.1 request needs a Host header")(environ, capture)
            self._observe(environ, info, path, statuses, quiet)
            return result
        if control and not (self.control_token and is_dashboard_path(path)):  # the dashboard's session may hold it
            try:
                check_control_access(environ, self.control_token)
            except ApiError as refusal:
                info.error = refusal.code
                result = refusal.response()(environ, capture)
                self._observe(environ, info, path, statuses, quiet)
                return result
        elif not quiet and request_snapshot(self.state, info).faults:  # the handler reads it anyway: free when empty
            login = basic_credentials(environ.get("HTTP_AUTHORIZATION", ""))[0]
            fault = self.state.take_fault(path if path.isascii() else _wsgi_text(path), info.snapshot,
                                          environ.get("REQUEST_METHOD", "GET"), login)
            if fault is not None:
                if fault.kind == "status":
                    result = _fault_response(fault, info)(environ, capture)
                else:
                    result = play_network_fault(fault, self.wsgi_app, environ, capture, self.state.config.seed)
                    info.error = f"fault.{fault.kind}"  # the journal names the network fault the request met
                self._observe(environ, info, path, statuses, quiet)
                return result
        result = self.wsgi_app(environ, capture)
        self._observe(environ, info, path, statuses, quiet)
        return result

    def _observe(self, environ: dict, info: RequestInfo, path: str, statuses: list[str], quiet: bool) -> None:
        """Access-log every request; journal it unless ``quiet`` (the control API and the browser UI)."""
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
        if quiet:
            return
        headers = {name: environ[key] for name, key in JOURNALED_HEADERS if key in environ}
        if "HTTP_AUTHORIZATION" in environ:
            headers["Authorization"] = redacted_authorization(environ["HTTP_AUTHORIZATION"])
        self.state.journal.record(JournalEntry(
            info.now if info.now is not None else self.state.now(), method, path,
            query if query.isascii() else _wsgi_text(query), status, info.login, info.error, info.version,
            duration_ms, remote, headers))


AUTH_SCHEMES = {scheme.lower(): scheme for scheme in ("Basic", "Bearer", "Digest", "Negotiate", "NTLM")}
"""Schemes the journal may name; of anything else it shows nothing."""


def redacted_authorization(value: str) -> str:
    """``Basic [redacted]`` for a recognised scheme followed by credentials; ``[redacted]`` for anything else
    (a bare secret such as ``Corr3ctH0rse-77``, or ``Basic<TAB>...``'s unusual spacing, shows nothing)."""
    scheme, space, rest = value.partition(" ")
    known = AUTH_SCHEMES.get(scheme.lower()) if space and rest.strip() else None
    return f"{known} [redacted]" if known else "[redacted]"


def _fault_response(fault: Fault, info: RequestInfo) -> Response:
    """The answer of an injected fault: the envelope with the fault's status (and Retry-After, when set)."""
    assert fault.status is not None  # a status fault always has one (the validator's rule)
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


Envelope = tuple[str, dict[str, Any], dict[str, str]]
"""An error's (code, args, headers)."""


def _not_found(error: HTTPException, prefix: str) -> Envelope:
    return f"{prefix}.not_found", {"path": shown(request.path)}, {}


def _method_not_allowed(error: HTTPException, prefix: str) -> Envelope:
    allowed = sorted(set(getattr(error, "valid_methods", None) or ()) - {"OPTIONS"})
    if request.path.startswith(RUN_PREFIX + "/"):
        allowed = [method for method in allowed if method != "HEAD"]
    text = ", ".join(allowed)
    return (f"{prefix}.method_not_allowed", {"method": request.method, "path": shown(request.path), "allowed": text},
            {"Allow": text})


def _range_not_satisfiable(error: HTTPException, prefix: str) -> Envelope:
    length = error.length if isinstance(error, RequestedRangeNotSatisfiable) else None
    headers = {} if length is None else {"Content-Range": f"bytes */{length}"}
    return "rawlogs.range_not_satisfiable", {"length": length}, headers


def _bad_request(error: HTTPException, prefix: str) -> Envelope:
    if prefix == "mock":
        return "mock.bad_json", {}, {}
    return f"{prefix}.bad_request", {"detail": error.description or "malformed request"}, {}


def _error_prefix(path: str) -> str:
    """Whose codes an HTTP error on ``path`` answers with: the control API's, the browser UI's or the platform's."""
    if is_control_path(path):
        return "mock"
    return "web" if is_ui_path(path) else "rawlogs"


HTTP_ERRORS: dict[int, Callable[[HTTPException, str], Envelope]] = {
    400: _bad_request, 404: _not_found, 405: _method_not_allowed, 416: _range_not_satisfiable}
"""Werkzeug's HTTP errors the mock names; any other answers ``rawlogs.http_error`` with its own status."""


def _http_error(error: HTTPException) -> Response:
    """Werkzeug's HTTP errors (unknown path, wrong method, bad range, body too large) as the envelope."""
    if error.code is None or error.code < 400:
        return error.get_response()  # type: ignore[return-value]  # a redirect: Werkzeug's own response
    prefix = _error_prefix(request.path)
    known = HTTP_ERRORS.get(error.code)
    if known is None:
        request_info().error = "rawlogs.http_error"
        return error_response("rawlogs.http_error", status=error.code, detail=f"{error.code} {error.name}")
    code, args, headers = known(error, prefix)
    request_info().error = code
    return error_response(code, headers=headers, **args)


def _unexpected(error: Exception) -> Response:
    """The safety net: log the traceback, answer with the envelope. Tests check it is never reached."""
    error_log.exception("unexpected error on %s %s", request.method, printable(request.path))
    request_info().error = "rawlogs.internal"
    return error_response("rawlogs.internal")
