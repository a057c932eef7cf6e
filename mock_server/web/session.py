"""Who is logged in to the platform's pages: the user's login in Flask's signed session cookie.

The cookie also carries a keyed fingerprint of the user's password digest, so changing the password (or removing
the user) ends their browser sessions, as on the platform. Pages redirect a visitor without a session to the
login form; the JSON the pages poll answers 401 ``web.login_required`` instead.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from flask import current_app, g, redirect, render_template, request, session, url_for

from mock_server.context import current_state, request_info
from mock_server.errors import ApiError, render_message
from mock_server.rawlogs import request_snapshot
from mock_server.reports.zones import ZoneError, parse_zone
from mock_server.rules import User
from mock_server.state import Snapshot
from mock_server.urls import UI_PREFIX

LOGIN_KEY = "login"
FINGERPRINT_KEY = "fp"
_LOGIN = b"session"
"""The purpose of the login's keyed digest of the user's password digest."""


def keyed_digest(purpose: bytes, secret: bytes) -> str:
    """What a session keeps in place of a secret (a password digest, the control token): an HMAC under the app's
    key, so the cookie shows nothing of it, and a new secret or key no longer matches. ``purpose`` keeps one
    use's digest from standing for another's."""
    key = current_app.secret_key
    assert isinstance(key, bytes)  # init_web sets it
    return hmac.new(key, purpose + b"\0" + secret, hashlib.sha256).hexdigest()[:32]


def holds_digest(kept: object, purpose: bytes, secret: bytes) -> bool:
    """Whether a session value is ``keyed_digest(purpose, secret)``, compared in constant time."""
    return isinstance(kept, str) and hmac.compare_digest(kept.encode(), keyed_digest(purpose, secret).encode())


def log_in(user: User) -> None:
    """A fresh session for ``user`` (nothing of the anonymous one carries over: no session fixation)."""
    session.clear()
    session[LOGIN_KEY] = user.login
    session[FINGERPRINT_KEY] = keyed_digest(_LOGIN, user.password_digest)


def log_out() -> None:
    session.clear()


def current_user() -> User | None:
    """The logged-in user, or None (no session, or the user was removed or got a new password since)."""
    login = session.get(LOGIN_KEY)
    if not isinstance(login, str):
        return None
    user = current_state().snapshot().users.get(login)
    if user is None or not holds_digest(session.get(FINGERPRINT_KEY), _LOGIN, user.password_digest):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """A page to return to after logging in: a path of the UI only (never another host: no open redirect)."""
    if not target or not target.startswith(UI_PREFIX + "/") or "//" in target or "\\" in target:
        return None
    return target


def request_moment() -> tuple[Snapshot, datetime]:
    """The state and the clock's now a page decides on, read once per request (as the APIs do)."""
    info = request_info()
    snapshot = request_snapshot(current_state(), info)
    assert info.now is not None  # set with the snapshot
    return snapshot, info.now


def user_zone(user: User) -> tzinfo:
    """The user's profile zone, as the platform shows times (UTC if the profile's zone is unreadable)."""
    try:
        return parse_zone(user.timezone)
    except ZoneError:
        return UTC


def _enter(user: User) -> None:
    g.user = user
    g.zone = user_zone(user)
    request_info().login = user.login


def page_user(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a page: to the login form without a session (coming back here after), a refusal page without the
    analytics permission; ``g.user`` and ``g.zone`` otherwise."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(url_for("login.login", next=request.full_path.rstrip("?")))
        if not user.may_report:
            request_info().error = "web.missing_role"
            message = render_message("web.missing_role", {"login": user.login})
            return render_template("web/refused.html", message=message), 403
        _enter(user)
        return view(*args, **kwargs)
    return guarded


def json_user(view: Callable[..., Any]) -> Callable[..., Any]:
    """For the JSON a page polls: 401 without a session, 403 without the analytics permission; ``g.user``."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            raise ApiError("web.login_required", path=request.path)
        if not user.may_report:
            raise ApiError("web.missing_role", login=user.login)
        _enter(user)
        return view(*args, **kwargs)
    return guarded
