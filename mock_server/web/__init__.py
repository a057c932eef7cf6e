"""The browser UI: the platform's pages (login, Analytics, the task list) and the shared web layer under them.

:func:`init_web` gives an app what every page needs: the session key, a signed HttpOnly SameSite=Lax session cookie
opened on UI paths only, CSRF protection on every form (the JSON APIs are exempt: they authenticate each request
and take no cookies), the shared layout ``web/base.html`` and the assets under ``static/``. Pages call the state and
the report service directly, the same functions the JSON APIs call; the server never calls itself over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask, Response
from flask_wtf.csrf import CSRFError, CSRFProtect

from mock_server.context import request_info
from mock_server.errors import error_response, shown
from mock_server.state import MockState
from mock_server.web import analytics, assets, login, tasks
from mock_server.web.secret import load_or_create_secret
from mock_server.web.security import UiOnlySessionInterface, cookie_name

POLL_MS_KEY = "JAICP_MOCK_POLL_MS"
"""How often (real milliseconds) live parts of a page ask for news; tests make it short."""
DEFAULT_POLL_MS = 1000
PAGES = (assets.blueprint, login.blueprint, analytics.blueprint, tasks.blueprint)
"""The platform's pages, under ``/ui/``."""


def init_web(app: Flask, state: MockState, *, api: Iterable[Blueprint] = ()) -> None:
    """Set ``app`` up for browser pages; ``api``: the JSON API blueprints, exempt from CSRF."""
    secret = load_or_create_secret(state.data_dir)
    app.secret_key = secret
    app.session_interface = UiOnlySessionInterface()
    app.config.update(SESSION_COOKIE_NAME=cookie_name(secret), SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax",
                      WTF_CSRF_TIME_LIMIT=None)  # a token lives as long as its session, not by the real clock
    app.config.setdefault(POLL_MS_KEY, DEFAULT_POLL_MS)
    csrf = CSRFProtect(app)
    for blueprint in api:
        csrf.exempt(blueprint)
    for blueprint in PAGES:
        app.register_blueprint(blueprint)
    app.register_error_handler(CSRFError, _csrf_failed)


def _csrf_failed(error: CSRFError) -> Response:
    request_info().error = "web.csrf_failed"
    return error_response("web.csrf_failed", reason=shown(error.description or "no token"))
