"""The handle a test uses: :class:`JaicpMock` (the URL to call, the clock, accounts and users, faults, the
journal, the expected bytes), the same whichever backend and transport it stands on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import Flask

from generators.csvformat import LogRecord, read_records
from generators.schema import parse_file_day
from mock_server.clock import parse_instant
from mock_server.context import state_of
from mock_server.state import MockState
from mock_server.testing.backends import Backend, LocalBackend
from mock_server.urls import download_path, run_path


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
        self.clients: tuple[str, ...] = ()
        """In-process: the HTTP clients whose calls are intercepted (``requests``, ``httpx``, ``aiohttp``,
        ``urllib``); empty on a live server, which every client reaches."""

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
        return self.backend.add_fault(status, times, _fault_path(path), retry_after)

    def add_network_fault(self, kind: str, times: int = 1, path: str | date | None = None, *,
                          method: str | None = None, login: str | None = None, probability: float = 1.0,
                          **params: Any) -> dict:
        """The next ``times`` matching requests meet a network fault: ``delay`` (``delay_ms``, ``distribution``
        fixed/uniform/lognormal, ``max_delay_ms``, ``sigma``), ``slow_body`` (``chunk_bytes``, ``interval_ms``),
        ``reset`` (``after_bytes``; none: before the headers), ``empty``, ``truncate`` (``after_bytes``),
        ``malformed_chunk``, ``garbage`` (``garbage_bytes``) or ``corrupt_gzip``. ``path`` as in
        :meth:`add_fault`; ``method``/``login`` narrow the match; ``probability`` below 1 skips some (seeded).
        """
        return self.backend.add_fault(None, times, _fault_path(path), None, kind=kind, method=method, login=login,
                                      probability=probability, params=params)

    @property
    def faults(self) -> list[dict]:
        """The active faults with their remaining uses, oldest first."""
        return self.backend.faults()

    def clear_faults(self) -> None:
        self.backend.clear_faults()

    # -- report tasks (the Reporter API) ---------------------------------------------------------------------

    def create_report(self, kind: str = "sessions", *, token: str, filters: Iterable[dict] = (),
                      settings: dict | None = None, day: date | str | None = None, timezone: str | None = None,
                      project: str | None = None) -> dict:
        """Create a report task as ``token``'s user would (``kind``: sessions, messages, clients or daily, which
        takes ``day``); returns the task as the control API lists it (``task``, ``requestId``, ``error``).
        A refused request raises ReportRequestError with the envelope."""
        body: dict[str, Any] = {"settings": settings or {"fileType": "XLSX"}}
        if kind == "daily":
            body["date"] = _as_day(day).isoformat() if day is not None else None
        else:
            body["filters"] = list(filters)
        headers = {} if timezone is None else {"Timezone": timezone}
        query = "" if project is None else f"?projectShortName={quote(project, safe='')}"
        status, answer = self.backend.create_report(token, kind, body, headers, query)
        if status != 200:
            raise ReportRequestError(status, answer)
        return self.report_task(request_id=answer["requestId"])

    def report_tasks(self) -> list[dict]:
        """Every account's tasks, DELETED ones too, oldest first (``task``, ``requestId``, ``error``)."""
        return self.backend.report_tasks()

    def report_task(self, task_id: str | None = None, *, request_id: str | None = None) -> dict:
        for item in self.report_tasks():
            if item["task"]["taskId"] == task_id or item["requestId"] == request_id:
                return item
        raise KeyError(task_id or request_id)

    def finish_report(self, task_id: str, *, max_seconds: float = 7 * 86400) -> dict:
        """Advance the mock clock until the task no longer runs (COMPLETED, FAILED or STOPPED); returns it.

        Steps double from one second, so a task finishes within twice its remaining mock time."""
        step, moved = 1.0, 0.0
        while True:
            item = self.report_task(task_id)
            if item["task"]["status"] not in RUNNING_STATUSES:
                return item
            if moved >= max_seconds:
                raise TimeoutError(f"task {task_id} still {item['task']['status']} after {moved:g} s of mock time")
            self.clock.advance(step)
            moved += step
            step *= 2

    def fail_report(self, task_id: str, error: str = "reports.generation_failed",
                    reason: str = "injected by the test") -> dict:
        """Make a running task FAIL now with the error the platform would give."""
        return self.backend.fail_report(task_id, error, reason)

    def clear_reports(self) -> None:
        self.backend.clear_reports()

    def expected_report(self, task_id: str) -> dict:
        """What the task's file holds: ``{"columns": [...], "rows": [[...]]}``, date-times as ISO-8601 text with the
        user's offset, yes/no values as booleans."""
        return self.backend.report_rows(task_id)

    def download_url(self, day: date | str) -> str:
        return f"{self.url}{download_path(_as_day(day))}"

    def regeneration_url(self, day: date | str, account_id: int | None = None, *, force: bool = True) -> str:
        """The ``/run`` URL of a day; it carries ``?force=true`` unless ``force=False`` (do not add it again: a
        repeated ``force`` is a 400)."""
        query = "?force=true" if force else ""
        return f"{self.url}{run_path(account_id or self.account_id, _as_day(day), query)}"


RUNNING_STATUSES = ("CREATED", "STARTED")


class ReportRequestError(RuntimeError):
    """The mock refused a report request: ``status`` and the JSON ``envelope``."""

    def __init__(self, status: int, envelope: dict) -> None:
        super().__init__(f"{status} {envelope.get('error')}: {envelope.get('message')}")
        self.status, self.envelope = status, envelope


def _fault_path(path: str | date | None) -> str | None:
    """None, an exact path, or a day's download path."""
    return path if path is None or (isinstance(path, str) and path.startswith("/")) else download_path(_as_day(path))


def _as_day(day: date | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    try:
        return parse_file_day(day)
    except ValueError:
        return date.fromisoformat(day)
