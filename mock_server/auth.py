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

import hmac
import ipaddress

from flask import g, request

from mock_server.errors import ApiError
from mock_server.rules import User
from mock_server.state import MockState


def authenticate(state: MockState) -> User:
    """The platform user making this request, or a 401 ``rawlogs.unauthorized``."""
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise ApiError("rawlogs.unauthorized")
    user = state.authenticate(credentials.username or "", credentials.password or "")
    if user is None:
        raise ApiError("rawlogs.unauthorized")
    g.login = user.login
    return user


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


def check_control_access(token: str | None) -> None:
    """Let a control-API request through, or raise 403 ``mock.not_loopback`` / 401 ``mock.bad_token``."""
    if token is None:
        if not is_loopback(request.remote_addr):
            raise ApiError("mock.not_loopback", remoteAddr=request.remote_addr or "an unknown address")
        return
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), token.encode()):
        raise ApiError("mock.bad_token")
