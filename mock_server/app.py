"""The Flask app factory: the platform's raw-log endpoints and the control API over one :class:`MockState`.

``create_app(config)`` builds a fresh app with its own state (nothing is module-global), so the CLI, the
pytest plugin's live server and its in-process client can each have their own, or share one data dir.

Error handling is central: every error, including a path no route knows, a wrong method and an exception
nobody expected, leaves as the JSON envelope of :mod:`mock_server.errors`. Each request is logged as one
access-log line (method, path, status, the login once it authenticated, duration; never a credential) and,
outside the control API, recorded in the request journal.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, RequestedRangeNotSatisfiable

from mock_server.auth import check_control_access
from mock_server.clock import Clock, format_instant
from mock_server.config import MockConfig, demo_config
from mock_server.errors import ApiError, error_response
from mock_server.rawlogs import EXTENSION_KEY, current_state, shown
from mock_server.state import MockState

CONTROL_PREFIX = "/_mock/"
TOKEN_KEY = "JAICP_MOCK_CONTROL_TOKEN"
MAX_BODY_BYTES = 64 * 1024
LOGGED_PATH_LIMIT = 300
JOURNALED_HEADERS = ("Range", "If-None-Match", "If-Modified-Since", "If-Range", "User-Agent", "Content-Type")

access_log = logging.getLogger("jaicp_mock.access")
error_log = logging.getLogger("jaicp_mock.errors")


def create_app(config: MockConfig | None = None, *, data_dir: str | Path | None = None, clock: Clock | None = None,
               control_token: str | None = None, state: MockState | None = None) -> Flask:
    """A mock JAICP serving ``config`` (the built-in demo when None).

    ``data_dir``: where state and files live (a temporary folder, removed by ``app.extensions["jaicp_mock"]
    .close()``, when None). ``clock``: the initial clock (real UTC when None). ``control_token``: require
    ``Authorization: Bearer <token>`` on ``/_mock/`` instead of a loopback client. ``state``: serve an existing
    state instead of opening one.
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
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    return app


def _is_control(path: str) -> bool:
    return path == CONTROL_PREFIX.rstrip("/") or path.startswith(CONTROL_PREFIX)


def _before() -> None:
    g.started = time.perf_counter()
    if _is_control(request.path):
        from flask import current_app

        check_control_access(current_app.config[TOKEN_KEY])


def _after(response: Response) -> Response:
    """One access-log line per request, and a journal entry for the platform endpoints."""
    started = g.get("started")
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    login = g.get("login")
    path = request.full_path if request.query_string else request.path
    if access_log.isEnabledFor(logging.INFO):
        access_log.info("%s %s %s %d %s %.1fms", request.remote_addr or "-", request.method, _printable(path),
                        response.status_code, _printable(login) if login else "-", duration_ms)
    if not _is_control(request.path):
        state = current_state()
        headers = {name: request.headers[name] for name in JOURNALED_HEADERS if name in request.headers}
        if "Authorization" in request.headers:
            scheme = request.headers["Authorization"].partition(" ")[0]
            headers["Authorization"] = f"{scheme[:20]} [redacted]"
        state.journal.record({
            "at": format_instant(state.now()),
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "status": response.status_code,
            "login": login,
            "error": g.get("error_code"),
            "version": g.get("served_version"),
            "durationMs": round(duration_ms, 3),
            "remoteAddr": request.remote_addr,
            "headers": headers,
        })
    return response


def _printable(text: str) -> str:
    """Safe for a one-line log: control characters escaped, long values cut."""
    cut = text if len(text) <= LOGGED_PATH_LIMIT else text[:LOGGED_PATH_LIMIT] + "..."
    return cut.encode("unicode_escape").decode("ascii") if not cut.isprintable() else cut


def _api_error(error: ApiError) -> Response:
    g.error_code = error.code
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
        g.error_code = code
        return error_response(code, status=error.code, headers=headers, **args)
    g.error_code = code
    return error_response(code, headers=headers, **args)


def _unexpected(error: Exception) -> Response:
    """The safety net: log the traceback, answer with the envelope. Tests check it is never reached."""
    error_log.exception("unexpected error on %s %s", request.method, _printable(request.path))
    g.error_code = "rawlogs.internal"
    return error_response("rawlogs.internal")
