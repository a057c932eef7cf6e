"""What every browser page gets: security headers, a session opened on UI paths only, and the blueprint factory.

Pages put their JavaScript in static files, so the Content-Security-Policy allows no inline script (nor inline
style): text a client typed can never run, even if a template forgot to escape it.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from mock_server.urls import is_ui_path

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"))
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def page_headers(response: Response) -> Response:
    """The security headers; pages (not assets) are also never cached, as they show one user's data."""
    response.headers.update(PAGE_HEADERS)
    if response.mimetype != "text/css" and response.mimetype != "text/javascript":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def ui_blueprint(name: str, import_name: str, url_prefix: str, **options: object) -> Blueprint:
    """A blueprint of browser pages: every response it makes carries :data:`PAGE_HEADERS`."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix, **options)  # type: ignore[arg-type]
    blueprint.after_request(page_headers)
    return blueprint


class UiOnlySessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, opened on browser paths only.

    The APIs authenticate every request themselves and must not act on a cookie; skipping the session there also
    keeps the signer's set-up off every download.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not is_ui_path(request.path):
            return None  # Flask's null session: reading works, writing raises
        return super().open_session(app, request)


def cookie_name(secret: bytes) -> str:
    """Named after the key, so two mocks on one host (cookies ignore the port) do not log each other out,
    while two processes on one data dir share sessions. A hash prefix of a random key reveals nothing of it."""
    return "jaicp_mock_" + hashlib.sha256(b"cookie name\0" + secret).hexdigest()[:12]
