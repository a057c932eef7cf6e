"""How a :class:`~mock_server.testing.handle.JaicpMock` reaches the mock: straight on the state in this process
(:class:`LocalBackend`), or over the control API of one running elsewhere (:class:`RemoteBackend`).

The remote backend speaks the control API's contract (:mod:`mock_server.control.views`): the same JSON the
local backend builds from the same views.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import quote

from pydantic.alias_generators import to_camel

from generators.schema import file_day
from mock_server.clock import format_instant, parse_instant
from mock_server.control.views import fault_view
from mock_server.state import MockState
from mock_server.urls import CONTROL_PREFIX, CREATE_PREFIX


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
    def add_fault(self, status: int | None, times: int, path: str | None, retry_after: int | None,
                  **network: Any) -> dict: ...
    def faults(self) -> list[dict]: ...
    def clear_faults(self) -> None: ...
    def create_report(self, token: str, kind: str, body: dict, headers: dict[str, str], query: str) -> tuple[
        int, dict]: ...
    def report_tasks(self) -> list[dict]: ...
    def fail_report(self, task_id: str, error: str, reason: str) -> dict: ...
    def clear_reports(self) -> None: ...
    def report_rows(self, task_id: str) -> dict: ...


class LocalBackend:
    """Straight on the app's :class:`MockState`: a reset costs about a millisecond."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self._client: Any = None

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

    def add_fault(self, status: int | None, times: int, path: str | None, retry_after: int | None,
                  **network: Any) -> dict:
        return fault_view(self.state.add_fault(status, times, path, retry_after, **network)).json()

    def faults(self) -> list[dict]:
        return [fault_view(fault).json() for fault in self.state.faults()]

    def clear_faults(self) -> None:
        self.state.clear_faults()

    def create_report(self, token: str, kind: str, body: dict, headers: dict[str, str], query: str) -> tuple[
            int, dict]:
        """Through the app's own endpoint (an app over this state, no socket): the same checks as over HTTP."""
        response = self._app_client().post(f"{CREATE_PREFIX}/{kind}{query}", json=body,
                                     headers={**headers, "Authorization": f"Bearer {token}"})
        return response.status_code, response.get_json()

    def report_tasks(self) -> list[dict]:
        return self._control_json("GET", "/reports")["tasks"]

    def fail_report(self, task_id: str, error: str, reason: str) -> dict:
        return self._control_json("POST", f"/reports/{quote(task_id, safe='')}/fail",
                                  {"error": error, "reason": reason})

    def clear_reports(self) -> None:
        self.state.reports.clear()

    def report_rows(self, task_id: str) -> dict:
        return self._control_json("GET", f"/reports/{quote(task_id, safe='')}/rows")

    def _app_client(self) -> Any:
        if self._client is None:
            from mock_server.app import create_app  # the app imports the testing kit's siblings: import late

            self._client = create_app(state=self.state).test_client()
        return self._client

    def _control_json(self, method: str, path: str, body: dict | None = None) -> dict:
        """A control-API call on this state (the views are made by the routes, so both backends answer alike)."""
        response = self._app_client().open(f"{CONTROL_PREFIX}{path}", method=method, json=body,
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {CONTROL_PREFIX}{path}: {response.status_code} {response.get_data(True)}")
        return response.get_json()


class RemoteBackend:
    """Over the control API of a mock that runs elsewhere (``--jaicp-url``)."""

    def __init__(self, url: str, token: str | None = None) -> None:
        import requests

        self.url = url.rstrip("/")
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, f"{self.url}{CONTROL_PREFIX}{path}", json=body, timeout=30)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {CONTROL_PREFIX}{path}: {response.status_code} {response.text[:300]}")
        return response

    def reset(self) -> None:
        self._call("POST", "/reset")

    def set_clock(self, *, now: datetime | None = None, advance: float = 0, frozen: bool | None = None) -> datetime:
        body: dict[str, Any] = {}
        if now is not None:
            body["now"] = format_instant(now)
        if advance:
            body["advanceSeconds"] = advance
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
        return self._call("GET", f"/accounts/{account_id}/expected/{file_day(day)}.csv?version={version}").content

    def account_ids(self) -> list[int]:
        return [account["id"] for account in self._call("GET", "/accounts").json()["accounts"]]

    def add_fault(self, status: int | None, times: int, path: str | None, retry_after: int | None,
                  **network: Any) -> dict:
        params = network.pop("params", None) or {}
        body = {"status": status, "times": times, "path": path, "retry_after": retry_after, **network, **params}
        return self._call("POST", "/faults", _jsonable(body)).json()

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults").json()["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def create_report(self, token: str, kind: str, body: dict, headers: dict[str, str], query: str) -> tuple[
            int, dict]:
        response = self.http.post(f"{self.url}{CREATE_PREFIX}/{kind}{query}", json=body, timeout=30,
                                  headers={**headers, "Authorization": f"Bearer {token}"})
        return response.status_code, response.json()

    def report_tasks(self) -> list[dict]:
        return self._call("GET", "/reports").json()["tasks"]

    def fail_report(self, task_id: str, error: str, reason: str) -> dict:
        return self._call("POST", f"/reports/{quote(task_id, safe='')}/fail", {"error": error, "reason": reason}
                          ).json()

    def clear_reports(self) -> None:
        self._call("DELETE", "/reports")

    def report_rows(self, task_id: str) -> dict:
        return self._call("GET", f"/reports/{quote(task_id, safe='')}/rows").json()


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    """Python keyword arguments as the control API's JSON: camelCase keys, ISO instants."""
    return {to_camel(key): format_instant(value) if isinstance(value, datetime) else value
            for key, value in changes.items()}
