"""What one request learned on its way through the app, for the access log and the journal.

Kept as one small object in the WSGI environ rather than as several attributes on ``flask.g``: each ``g``
lookup goes through a context-local proxy, and a download is short enough for a dozen of them to show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, request

if TYPE_CHECKING:
    from mock_server.state import MockState

ENVIRON_KEY = "jaicp_mock.request"
EXTENSION_KEY = "jaicp_mock"
"""Where an app keeps its :class:`~mock_server.state.MockState` (``app.extensions``)."""


def state_of(app: Flask) -> MockState:
    """The state an app made by :func:`mock_server.app.create_app` serves."""
    return app.extensions[EXTENSION_KEY]


def current_state() -> MockState:
    """The state of the app handling the current request."""
    return current_app.extensions[EXTENSION_KEY]


@dataclass(slots=True)
class RequestInfo:
    started: float
    login: str | None = None
    """Set once the user authenticated: the access log shows no login for a failed attempt."""
    now: datetime | None = None
    """The mock clock's now, read once per request."""
    snapshot: Any = None
    """The state snapshot the request decided on (see rawlogs.request_snapshot)."""
    error: str | None = None
    version: int | None = None
    """The file version served."""


def request_info() -> RequestInfo:
    """This request's info (set up by the app's middleware; made here when a test calls a view directly)."""
    environ = request.environ
    info = environ.get(ENVIRON_KEY)
    if info is None:
        info = environ[ENVIRON_KEY] = RequestInfo(time.perf_counter())
    return info
