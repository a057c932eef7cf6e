"""Who may open the dashboard: the control API's rule, a loopback client or the server's control token.

A browser cannot put ``Authorization: Bearer`` on a link it follows, so when the server has a control token the
browser presents it once in a small form (``/_mock/dashboard/unlock``); the signed, HttpOnly session then keeps a
digest of it keyed by the app's secret, never the token, and a restart with another token locks the browser
out again. Without a token only loopback clients get in, as with the control API.
"""

from __future__ import annotations

import hmac

from flask import current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from mock_server.app import TOKEN_KEY
from mock_server.auth import check_control_access
from mock_server.dashboard.pages import blueprint
from mock_server.errors import ApiError
from mock_server.web.session import holds_digest, keyed_digest

SESSION_KEY = "dashboard_token"
OPEN_ENDPOINTS = frozenset({"dashboard.unlock", "dashboard.static"})
"""What a browser without the token still gets: the form to present it, and the stylesheet and script."""


_PURPOSE = b"dashboard token"


def _unlocked(token: str) -> bool:
    return holds_digest(session.get(SESSION_KEY), _PURPOSE, token.encode())


@blueprint.before_request
def check_access() -> Response | tuple[str, int] | None:
    """Loopback (no token), or the token: in the session, or as the bearer header the control API takes."""
    token = current_app.config.get(TOKEN_KEY)
    if token is None:
        check_control_access(request.environ, None)  # the app's middleware refused a remote client already
        return None
    if request.endpoint in OPEN_ENDPOINTS or _unlocked(token):
        return None
    try:
        check_control_access(request.environ, token)
    except ApiError:
        if request.method == "GET" and request.endpoint != "dashboard.live":
            return render_template("dashboard/unlock.html", problem=None), 401
        raise
    return None


@blueprint.route("/dashboard/unlock", methods=["GET", "POST"])
def unlock() -> Response | tuple[str, int]:
    token = current_app.config.get(TOKEN_KEY)
    if token is None:
        return redirect(url_for("dashboard.home"), 303)
    if request.method == "GET":
        return render_template("dashboard/unlock.html", problem=None), 200
    presented = request.form.get("token", "")
    if not hmac.compare_digest(presented.encode(), token.encode()):
        return render_template("dashboard/unlock.html", problem="That is not the server's control token."), 401
    session[SESSION_KEY] = keyed_digest(_PURPOSE, token.encode())
    return redirect(url_for("dashboard.home"), 303)
