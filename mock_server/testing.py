"""The mock for test suites, without pytest: a live server on a free port, and in-process interception.

    from mock_server.testing import serve, intercept

    with serve() as server:                 # a real socket on 127.0.0.1, port 0
        requests.get(f"{server.url}/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"))

    with intercept() as mock:               # no socket: requests and httpx calls to app.jaicp.com
        requests.get("https://app.jaicp.com/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"))

Both yield a :class:`JaicpMock`: the URL to call, the clock, account and user set-up, injected faults, the
request journal and the bytes the server serves for any day and version. The pytest plugin
(:mod:`mock_server.pytest_plugin`) is a thin layer of fixtures over these.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from flask import Flask

from generators.csvformat import LogRecord, read_records
from mock_server.app import create_app
from mock_server.clock import Clock, format_instant, parse_instant
from mock_server.config import MockConfig, demo_config
from mock_server.context import state_of
from mock_server.control.views import fault_view
from mock_server.live import LiveServer
from mock_server.state import MockState

DEFAULT_HOSTS = ("app.jaicp.com",)


class Backend(Protocol):
    """How a :class:`JaicpMock` reaches the mock: in-process (:class:`LocalBackend`) or over the control API
    of an already running one (:class:`RemoteBackend`)."""

    def reset(self) -> None: ...
    def set_clock(self, *, now: datetime | None = None, advance: float = 0, frozen: bool | None = None
                  ) -> datetime: ...
    def now(self) -> datetime: ...
    def update_account(self, account_id: int, changes: dict[str, Any]) -> None: ...
    def update_project(self, account_id: int, project: str, changes: dict[str, Any]) -> None: ...
    def put_user(self, login: str, password: str, account_id: int, roles: tuple[str, ...], admin: bool) -> None: ...
    def delete_user(self, login: str) -> None: ...
    def journal(self) -> list[dict]: ...
    def expected_bytes(self, account_id: int, day: date, version: int) -> bytes: ...
    def account_ids(self) -> list[int]: ...
    def add_fault(self, status: int, times: int, path: str | None, retry_after: int | None) -> dict: ...
    def faults(self) -> list[dict]: ...
    def clear_faults(self) -> None: ...


class LocalBackend:
    """Straight on the app's :class:`MockState`: a reset costs about a millisecond."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    def reset(self) -> None:
        self.state.reset()

    def set_clock(self, *, now: datetime | None = None, advance: float = 0, frozen: bool | None = None) -> datetime:
        return self.state.clock.apply(now=now, advance=advance, frozen=frozen)

    def now(self) -> datetime:
        return self.state.now()

    def update_account(self, account_id: int, changes: dict[str, Any]) -> None:
        self.state.update_account(account_id, **changes)

    def update_project(self, account_id: int, project: str, changes: dict[str, Any]) -> None:
        self.state.update_project(account_id, project, **changes)

    def put_user(self, login: str, password: str, account_id: int, roles: tuple[str, ...], admin: bool) -> None:
        self.state.put_user(login, password, account_id, roles, admin)

    def delete_user(self, login: str) -> None:
        self.state.delete_user(login)

    def journal(self) -> list[dict]:
        return self.state.journal.entries()

    def expected_bytes(self, account_id: int, day: date, version: int) -> bytes:
        return self.state.expected_bytes(account_id, day, version)

    def account_ids(self) -> list[int]:
        return [account.id for account in self.state.config.accounts]

    def add_fault(self, status: int, times: int, path: str | None, retry_after: int | None) -> dict:
        return fault_view(self.state.add_fault(status, times, path, retry_after)).json()

    def faults(self) -> list[dict]:
        return [fault_view(fault).json() for fault in self.state.faults()]

    def clear_faults(self) -> None:
        self.state.clear_faults()


class RemoteBackend:
    """Over the control API of a mock that runs elsewhere (``--jaicp-url``)."""

    def __init__(self, url: str, token: str | None = None) -> None:
        import requests

        self.url = url.rstrip("/")
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, f"{self.url}/_mock{path}", json=body, timeout=30)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} /_mock{path}: {response.status_code} {response.text[:300]}")
        return response

    def reset(self) -> None:
        self._call("POST", "/reset")

    def set_clock(self, *, now: datetime | None = None, advance: float = 0, frozen: bool | None = None) -> datetime:
        body: dict[str, Any] = {}
        if now is not None:
            body["now"] = format_instant(now)
        if advance:
            body["advance_seconds"] = advance
        if frozen is not None:
            body["frozen"] = frozen
        return parse_instant(self._call("POST", "/clock", body).json()["now"]) if body else self.now()

    def now(self) -> datetime:
        return parse_instant(self._call("GET", "/clock").json()["now"])

    def update_account(self, account_id: int, changes: dict[str, Any]) -> None:
        self._call("PATCH", f"/accounts/{account_id}", _jsonable(changes))

    def update_project(self, account_id: int, project: str, changes: dict[str, Any]) -> None:
        self._call("PATCH", f"/accounts/{account_id}/projects/{quote(project, safe='')}", _jsonable(changes))

    def put_user(self, login: str, password: str, account_id: int, roles: tuple[str, ...], admin: bool) -> None:
        self._call("PUT", f"/users/{quote(login, safe='')}",
                   {"password": password, "account": account_id, "roles": list(roles), "admin": admin})

    def delete_user(self, login: str) -> None:
        self._call("DELETE", f"/users/{quote(login, safe='')}")

    def journal(self) -> list[dict]:
        return self._call("GET", "/requests?limit=1000").json()["requests"]

    def expected_bytes(self, account_id: int, day: date, version: int) -> bytes:
        return self._call("GET", f"/accounts/{account_id}/expected/{day:%d-%m-%Y}.csv?version={version}").content

    def account_ids(self) -> list[int]:
        return [account["id"] for account in self._call("GET", "/accounts").json()["accounts"]]

    def add_fault(self, status: int, times: int, path: str | None, retry_after: int | None) -> dict:
        body = {"status": status, "times": times, "path": path, "retry_after": retry_after}
        return self._call("POST", "/faults", body).json()

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults").json()["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {key: format_instant(value) if isinstance(value, datetime) else value for key, value in changes.items()}


class MockClock:
    """The mock's clock as a test sees it; every call reaches the server's one clock."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def now(self) -> datetime:
        return self._backend.now()

    def set(self, moment: datetime | str, *, frozen: bool = True) -> datetime:
        """Set the time (ISO-8601 text or an aware datetime); frozen unless said otherwise."""
        return self._backend.set_clock(now=_instant(moment), frozen=frozen)

    def advance(self, seconds: float | timedelta) -> datetime:
        return self._backend.set_clock(advance=seconds.total_seconds() if isinstance(seconds, timedelta)
                                       else seconds)

    def freeze(self, frozen: bool = True) -> datetime:
        return self._backend.set_clock(frozen=frozen)


def _instant(moment: datetime | str) -> datetime:
    return parse_instant(moment) if isinstance(moment, str) else moment


class JaicpMock:
    """What a test needs of the mock: where to call it, and how to set the scene.

    ``url`` is the base to call (``http://127.0.0.1:<port>`` live, ``https://app.jaicp.com`` in-process).
    Account helpers default to the configuration's first account.
    """

    def __init__(self, backend: Backend, url: str, *, state: MockState | None = None) -> None:
        self.backend = backend
        self.url = url.rstrip("/")
        self.state = state
        """The server's state object in-process (None against a remote mock)."""
        self.clock = MockClock(backend)
        self.account_id = backend.account_ids()[0]

    @classmethod
    def of_app(cls, app: Flask, url: str) -> JaicpMock:
        state: MockState = state_of(app)
        return cls(LocalBackend(state), url, state=state)

    def reset(self) -> None:
        """Back to the configuration's initial state (the clock included); generated files are kept."""
        self.backend.reset()

    def update_account(self, account_id: int | None = None, **changes: Any) -> None:
        """plan, plan_since, rawlogs_enabled_at (None disables), cleanup_days (None: no cleanup)."""
        self.backend.update_account(account_id or self.account_id, changes)

    def enable(self, at: datetime | str, account_id: int | None = None) -> None:
        """Support switches the raw-log option on at ``at``."""
        self.update_account(account_id, rawlogs_enabled_at=_instant(at))

    def disable(self, account_id: int | None = None) -> None:
        self.update_account(account_id, rawlogs_enabled_at=None)

    def set_plan(self, plan: str, since: datetime | str | None = None, account_id: int | None = None) -> None:
        """Switch plans; a business plan enables raw logs from ``since`` (default: the clock's now)."""
        changes: dict[str, Any] = {"plan": plan}
        if since is not None:
            changes["plan_since"] = _instant(since)
        self.update_account(account_id, **changes)

    def set_cleanup_days(self, days: int | None, *, project: str | None = None, account_id: int | None = None) -> None:
        """Retention on the account, or on one project (which applies to the whole account's files)."""
        if project is None:
            self.update_account(account_id, cleanup_days=days)
        else:
            self.backend.update_project(account_id or self.account_id, project, {"cleanup_days": days})

    def add_user(self, login: str, password: str, *, roles: Iterable[str] = ("RAWLOGS_ANALYTIC",),
                 admin: bool = False, account_id: int | None = None) -> None:
        self.backend.put_user(login, password, account_id or self.account_id, tuple(roles), admin)

    def remove_user(self, login: str) -> None:
        self.backend.delete_user(login)

    @property
    def requests(self) -> list[dict]:
        """The request journal of the platform endpoints, oldest first; credentials are never in it."""
        return self.backend.journal()

    def expected_bytes(self, day: date | str, version: int = 1, account_id: int | None = None) -> bytes:
        """Exactly what the server serves for that day and version (whether or not it is available now)."""
        return self.backend.expected_bytes(account_id or self.account_id, _as_day(day), version)

    def expected_records(self, day: date | str, version: int = 1, account_id: int | None = None) -> list[LogRecord]:
        """The same, parsed into typed rows."""
        return read_records(self.expected_bytes(day, version, account_id))

    def add_fault(self, status: int = 503, times: int = 1, path: str | date | None = None,
                  retry_after: int | None = None) -> dict:
        """The next ``times`` requests to ``path`` answer ``status`` (429, 500, 502, 503 or 504) before
        authentication, as the platform's proxy failing would; ``retry_after`` sets the Retry-After header.

        ``path``: None for every platform path, an exact path (``/restapi/rawlogs/03-03-2026.csv``), or a day
        (a date, ``2026-03-03`` or ``03-03-2026``) for that day's download. Faults queue, oldest first, and a
        reset removes them. Returns the fault (``id``, ``remaining``, ...).
        """
        if path is not None and not (isinstance(path, str) and path.startswith("/")):
            path = urlsplit(self.download_url(path)).path
        return self.backend.add_fault(status, times, path, retry_after)

    @property
    def faults(self) -> list[dict]:
        """The active faults with their remaining uses, oldest first."""
        return self.backend.faults()

    def clear_faults(self) -> None:
        self.backend.clear_faults()

    def download_url(self, day: date | str) -> str:
        return f"{self.url}/restapi/rawlogs/{_as_day(day):%d-%m-%Y}.csv"

    def regeneration_url(self, day: date | str, account_id: int | None = None, *, force: bool = True) -> str:
        query = "?force=true" if force else ""
        return f"{self.url}/restapi/rawlogs/run/{account_id or self.account_id}/{_as_day(day):%d-%m-%Y}{query}"


def _as_day(day: date | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    return datetime.strptime(day, "%d-%m-%Y").date() if re.fullmatch(r"\d{2}-\d{2}-\d{4}", day) \
        else date.fromisoformat(day)


def build_app(config: MockConfig | None = None, *, data_dir: str | Path | None = None,
              now: datetime | str | None = None, frozen: bool = True) -> Flask:
    """An app for tests: the demo configuration unless given, its clock at ``now`` (frozen) if given."""
    clock = None
    if now is not None:
        clock = Clock(parse_instant(now) if isinstance(now, str) else now, frozen=frozen)
    return create_app(config or demo_config(), data_dir=data_dir, clock=clock)


@contextlib.contextmanager
def serve(config: MockConfig | None = None, *, app: Flask | None = None, data_dir: str | Path | None = None,
          now: datetime | str | None = None, host: str = "127.0.0.1", port: int = 0) -> Iterator[JaicpMock]:
    """A live mock on a free port for the block's duration."""
    own_app = app is None
    app = app or build_app(config, data_dir=data_dir, now=now)
    try:
        with LiveServer(app, host, port) as server:
            yield JaicpMock.of_app(app, server.url)
    finally:
        if own_app:
            state_of(app).close()


# -- in-process interception ----------------------------------------------------------------------------------


def _host_pattern(hosts: Iterable[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(host) for host in hosts)
    return re.compile(rf"^https?://(?:{names})(?::\d+)?(?:/|$)", re.IGNORECASE)


def _dispatch(app: Flask, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes | None
              ) -> tuple[int, list[tuple[str, str]], bytes]:
    """Answer one intercepted request with the app, in-process."""
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    forwarded = [(name, value) for name, value in headers if name.lower() not in ("host", "content-length")]
    with app.test_client() as client:
        response = client.open(parts.path or "/", method=method.upper(), query_string=parts.query, headers=forwarded,
                               data=body or b"", base_url=f"{scheme}://{parts.netloc}",
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})
        data = response.get_data()
        return response.status_code, list(response.headers.items()), data


@contextlib.contextmanager
def intercept(config: MockConfig | None = None, *, app: Flask | None = None, hosts: Iterable[str] = DEFAULT_HOSTS,
              now: datetime | str | None = None) -> Iterator[JaicpMock]:
    """Answer ``requests`` and ``httpx`` calls to ``hosts`` with the app, without a socket.

    Calls to any other host go through to the network as usual (a live mock on 127.0.0.1 included).
    ``responses`` intercepts ``requests``; ``respx`` intercepts ``httpx``.
    """
    import httpx
    import responses
    import respx

    hosts = tuple(hosts)
    own_app = app is None
    app = app or build_app(config, now=now)
    pattern = _host_pattern(hosts)

    def answer_requests(request) -> tuple[int, dict, bytes]:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        status, headers, data = _dispatch(app, request.method, request.url, request.headers.items(), body)
        merged: dict[str, str] = {}
        for name, value in headers:
            if name.lower() != "content-length":
                merged[name] = value if name not in merged else f"{merged[name]}, {value}"
        return status, merged, data

    def answer_httpx(request: httpx.Request) -> httpx.Response:
        status, headers, data = _dispatch(app, request.method, str(request.url), request.headers.multi_items(),
                                          request.read())
        kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
        return httpx.Response(status, headers=kept, content=data)

    requests_mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    requests_mock.add_passthru(re.compile(rf"^(?!{pattern.pattern[1:]})"))
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        requests_mock.add_callback(method, pattern, callback=answer_requests)
    httpx_mock = respx.mock(assert_all_called=False, assert_all_mocked=False)
    try:
        with requests_mock, httpx_mock:
            for host in hosts:
                httpx_mock.route(host=host).mock(side_effect=answer_httpx)
            httpx_mock.route().pass_through()
            yield JaicpMock.of_app(app, f"https://{hosts[0]}")
    finally:
        if own_app:
            state_of(app).close()
