"""Who is asking: HTTP basic authentication for the platform's endpoints, a bearer token for the control API.

- A login belongs to one account, and the download URL names no account, so the user's account decides which
  file is served.
- An unknown login and a wrong password get the same 401 (same body, same work: the password is compared
  against a dummy digest when there is no such user), so the mock does not reveal which logins exist.
- Passwords are compared as SHA-256 digests with :func:`hmac.compare_digest`; neither the header nor the
  password is logged or journaled. The access log shows the login only after it authenticated.
- The control API answers loopback clients only, unless the server has a control token; then it answers
  whoever sends ``Authorization: Bearer <token>``, wherever they are.
"""

from __future__ import annotations

import binascii
import hmac
import ipaddress

from flask import request

from mock_server.context import RequestInfo, request_info
from mock_server.errors import ApiError
from mock_server.rules import User
from mock_server.state import MockState, Snapshot


def authenticate(state: MockState, snapshot: Snapshot | None = None, info: RequestInfo | None = None) -> User:
    """The platform user making this request, or a 401 ``rawlogs.unauthorized``."""
    login, password = basic_credentials(request.environ.get("HTTP_AUTHORIZATION", ""))
    user = state.authenticate(login, password, snapshot) if login is not None else None
    if user is None:
        raise ApiError("rawlogs.unauthorized")
    (info or request_info()).login = user.login
    return user


def basic_credentials(header: str) -> tuple[str | None, str]:
    """(login, password) from ``Basic <base64 of login:password>``; (None, "") when it is not that."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None, ""
    try:
        text = binascii.a2b_base64(encoded.strip()).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None, ""
    login, separator, password = text.partition(":")
    return (login, password) if separator else (None, "")


def is_loopback(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def check_control_access(environ: dict, token: str | None) -> None:
    """Let a control-API request through, or raise 403 ``mock.not_loopback`` / 401 ``mock.bad_token``."""
    if token is None:
        address = environ.get("REMOTE_ADDR")
        if not is_loopback(address):
            raise ApiError("mock.not_loopback", remoteAddr=address or "an unknown address")
        return
    scheme, _, presented = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
        raise ApiError("mock.bad_token")
