"""The mock for test suites, without pytest: a live server on a free port, and in-process interception.

    from mock_server.testing import serve, intercept

    with serve() as server:                 # a real socket on 127.0.0.1, port 0
        requests.get(f"{server.url}/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"))

    with intercept() as mock:               # no socket: requests and httpx calls to app.jaicp.com
        requests.get("https://app.jaicp.com/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"))

Both yield a :class:`JaicpMock`: the URL to call, the clock, account and user set-up, injected faults, the
request journal and the bytes the server serves for any day and version. The pytest plugin
(:mod:`.plugin`) is a thin layer of fixtures over these. The other parts: :mod:`.apps` (apps, a live one),
:mod:`.handle` (the handle), :mod:`.backends` (in-process or remote), :mod:`.intercept` (no socket).
"""

from mock_server.live import LiveServer
from mock_server.testing.apps import build_app, serve
from mock_server.testing.backends import Backend, LocalBackend, RemoteBackend
from mock_server.testing.handle import JaicpMock, MockClock, ReportRequestError
from mock_server.testing.intercept import DEFAULT_HOSTS, intercept

__all__ = ["DEFAULT_HOSTS", "Backend", "JaicpMock", "LiveServer", "LocalBackend", "MockClock", "RemoteBackend",
           "ReportRequestError", "build_app", "intercept", "serve"]
