"""The report-task service: applies the Reporter API's rules to the task store, on the server's clock.

The HTTP layer (:mod:`mock_server.reporter`) authenticates and parses; this module decides. A task is created
from the request and the account's state *at creation* (its log-cleanup cutoff and the raw-log version of each
day are frozen into the stored query), so the file written later, in whatever process, is the report as it was
asked for. Creating a task does not count its rows: a background thread starts counting at once, and the first read that
needs ``totalCount`` (:meth:`ReportService.settle`) waits for that count or makes it; counts are cached per
query, so a request for a huge report answers at once.

The file is written once, on the first download after the task completed, atomically, by the same generator
and writer as ``jaicp-mock report``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_server.reports.browse import ReportLister
from mock_server.reports.content import (
    COLUMNS,
    MAX_PERIOD_DAYS,
    ReportQuery,
    count_rows,
    daily_query,
    describe_query,
    iter_messages,
    period_of,
    query_from,
    report_rows,
)
from mock_server.reports.errors import Problem
from mock_server.reports.files import write_report
from mock_server.reports.lifecycle import ReportRules, TaskRecord, progress, task_dto
from mock_server.reports.models import (
    AsyncEvent,
    CreateReportDto,
    DailyReportDto,
    DateTimeRangeFilter,
    ErrorEnvelope,
    ReportGenerationTaskDto,
    ReportSettings,
    ReportType,
    RequestError,
    TaskStatus,
    parse_request,
)
from mock_server.reports.records import Message, SessionSummary
from mock_server.reports.store import UNCOUNTED, ReportStore, TaskFinished
from mock_server.rules import AccountState, Serve, User, cleanup_cutoff, is_supported_day, resolve_download

if TYPE_CHECKING:
    from mock_server.state import MockState, Snapshot

log = logging.getLogger("jaicp_mock.reports")
COUNT_CACHE_SIZE = 256
FAILURE_CODES = ("reports.generation_failed", "reports.too_many_rows")
"""The errors the control API can make a task fail with (what the platform's own failures look like)."""


def _query_key(description: dict[str, Any]) -> str:
    return json.dumps(description, sort_keys=True)


class ReportError(Exception):
    """A request the rules refuse; ``problem`` is the envelope to answer with."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.problem = Problem(code, args)


def _refusal(error: RequestError) -> ReportError:
    refusal = ReportError(error.problem.code)
    refusal.problem = error.problem
    return refusal


class ReportService:
    """Report tasks of every account of one :class:`~mock_server.state.MockState`."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        config = state.config
        self.store = ReportStore(state.data_dir / "reports.sqlite", state.data_dir / "reports", config.reports,
                                 config.report_rules)
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._writing: dict[str, threading.Lock] = {}
        self._counting: dict[str, threading.Lock] = {}
        self.lists = ReportLister(self)
        """The lists the platform's pages show (Analytics → Dialogs, Clients), cached per query."""

    def rules(self, account_id: int) -> ReportRules:
        return self.state.config.report_rules(account_id)

    # -- creating ----------------------------------------------------------------------------------------------

    def create(self, user: User, snapshot: Snapshot, now: datetime, report_type: ReportType, body: object,
               zone: tzinfo, project: str | None) -> TaskRecord:
        """Check the request, freeze what the report will show, store the task (its rows are counted later)."""
        settings, query = self._request(user, snapshot, now, report_type, body, zone, project)
        task = self.store.create(account_id=user.account_id, report_type=report_type, settings=settings,
                                 query=describe_query(query), total_count=UNCOUNTED, now=now, project=project)
        threading.Thread(target=self._count_in_background, args=(task,), name="jaicp-mock-report-count",
                         daemon=True).start()
        return task

    def _request(self, user: User, snapshot: Snapshot, now: datetime, report_type: ReportType, body: object,
                 zone: tzinfo, project: str | None) -> tuple[ReportSettings, ReportQuery]:
        """The request's settings and its query, frozen at ``now``; ReportError when the rules refuse it."""
        account = snapshot.accounts[user.account_id]
        if project is not None and project not in {item.name for item in account.projects}:
            raise ReportError("reports.unknown_project", project=project,
                              known=", ".join(item.name for item in account.projects))
        try:
            if report_type is ReportType.DAILY:
                daily = parse_request(DailyReportDto, body)
                settings, query = daily.settings, self._daily(account, daily.date, now, zone, project)
            else:
                request = parse_request(CreateReportDto, body)
                settings = request.settings
                query = self._period(account, report_type, request, now, zone, project)
        except RequestError as error:
            raise _refusal(error) from None
        return settings, self._frozen(query, account, snapshot, now)

    def _count_in_background(self, task: TaskRecord) -> None:
        """Count right away, off the request: the first read then usually finds the count done (or waits for it)."""
        try:
            self.store.set_total(task.task_id, self._count(task))
        except sqlite3.Error:  # the state was closed meanwhile; a later reader counts again
            log.debug("report count of %s dropped: the store is closed", task.task_id)

    def _period(self, account: AccountState, report_type: ReportType, request: CreateReportDto, now: datetime,
                zone: tzinfo, project: str | None) -> ReportQuery:
        """The filters' period, never past the clock's now (the platform shows no future messages)."""
        query = None
        try:
            start, end = period_of(request.filters, now, zone)
            end = min(end, now)
            query = ReportQuery(report_type, account.config.spec(), start, end, zone, request.filters,
                                seed=self.state.config.seed, project=project)
        except (ValueError, OverflowError):  # an empty period, or one at the ends of Python's dates
            pass
        if query is None or not is_supported_day(query.days[0]) or not is_supported_day(query.days[-1]):
            ranges = [item for item in request.filters if isinstance(item, DateTimeRangeFilter)]
            raise ReportError("reports.bad_period", **{"from": str(ranges[0].from_) if ranges else "?",
                                                       "to": str(ranges[0].to) if ranges else "?",
                                                       "maxDays": MAX_PERIOD_DAYS})
        return query

    def _daily(self, account: AccountState, day: date, now: datetime, zone: tzinfo,
               project: str | None) -> ReportQuery:
        query = daily_query(account.config.spec(), day, zone=zone, seed=self.state.config.seed, project=project) \
            if is_supported_day(day) else None
        if query is None or query.end > now:
            raise ReportError("reports.bad_period", **{"from": day.isoformat(), "to": day.isoformat(), "maxDays": 1})
        return query

    def _frozen(self, query: ReportQuery, account: AccountState, snapshot: Snapshot, now: datetime) -> ReportQuery:
        """The query with the cleanup cutoff and each day's raw-log version as they stand ``now``."""
        policy = self.state.policy
        cutoff = cleanup_cutoff(account.retention_history, policy, now)
        versions = {}
        for day in query.days:
            served = resolve_download(account, day, now, policy, snapshot.regenerations_of(account.id, day))
            if isinstance(served, Serve) and served.version != 1:
                versions[day] = served.version
        return ReportQuery(query.report_type, query.account, query.start, query.end, query.zone, query.filters,
                           cutoff[0] if cutoff else None, query.seed, versions, query.project)

    # -- counting ----------------------------------------------------------------------------------------------

    def settle(self, account_id: int | None = None) -> None:
        """Count the rows of tasks not counted yet (one pass over their period each; cached per query)."""
        for task in self.store.uncounted(account_id):
            self.store.set_total(task.task_id, self._count(task))

    def _count(self, task: TaskRecord) -> int:
        """One pass per query in this process: a reader and the background count of the same query share it."""
        key = _query_key(task.query)
        with self._lock:
            counting = self._counting.setdefault(key, threading.Lock())
        with counting:
            with self._lock:
                if key in self._counts:
                    self._counts.move_to_end(key)
                    return self._counts[key]
            count = count_rows(self.query_of(task))
            with self._lock:
                self._counts[key] = count
                self._counting.pop(key, None)
                while len(self._counts) > COUNT_CACHE_SIZE:
                    self._counts.popitem(last=False)
        return count

    def remember_count(self, query: ReportQuery, count: int) -> None:
        """A count made elsewhere (a page listed this query's rows): a task of the same query reuses it."""
        with self._lock:
            self._counts[_query_key(describe_query(query))] = count
            while len(self._counts) > COUNT_CACHE_SIZE:
                self._counts.popitem(last=False)

    def query_for(self, user: User, snapshot: Snapshot, now: datetime, report_type: ReportType, body: object,
                  zone: tzinfo, project: str | None = None) -> ReportQuery:
        """The query a report request would freeze now, without making a task (the platform's pages list it)."""
        return self._request(user, snapshot, now, report_type, body, zone, project)[1]

    def session_messages(self, account_id: int, snapshot: Snapshot, now: datetime, session: SessionSummary,
                         zone: tzinfo) -> list[Message]:
        """A session's messages as its raw-log days hold them now (cleaned texts as log cleanup leaves them)."""
        account = snapshot.accounts[account_id]
        query = ReportQuery(ReportType.MESSAGES, account.config.spec(), session.start,
                            session.end + timedelta(seconds=1), zone, seed=self.state.config.seed)
        return [message for message in iter_messages(self._frozen(query, account, snapshot, now))
                if message.session_id == session.session_id]

    def query_of(self, task: TaskRecord) -> ReportQuery:
        return query_from(task.query, self.state.config_of(task.account_id).spec())

    # -- reading -----------------------------------------------------------------------------------------------

    def tasks(self, account_id: int | None, now: datetime) -> list[TaskRecord]:
        """An account's tasks not deleted (every account's for None), oldest first."""
        self.settle(account_id)
        return self.store.tasks(account_id, now)

    def task(self, account_id: int | None, task_id: str) -> TaskRecord:
        """The task, or 404 ``reports.task_not_found`` (also for another account's task)."""
        self.settle(account_id)
        task = self.store.get(task_id, account_id)
        if task is None:
            raise ReportError("reports.task_not_found", taskId=task_id)
        return task

    def visible(self, account_id: int, task_id: str, now: datetime) -> TaskRecord:
        """A task the account's list shows: a DELETED one answers 404 as an unknown one does."""
        task = self.task(account_id, task_id)
        if progress(self.rules(account_id), task, now).status is TaskStatus.DELETED:
            raise ReportError("reports.task_not_found", taskId=task_id)
        return task

    def dto(self, task: TaskRecord, now: datetime, base_url: str = "") -> ReportGenerationTaskDto:
        return task_dto(self.rules(task.account_id), task, now, base_url=base_url, project_short_name=task.project)

    def event(self, request_id: str, account_id: int, now: datetime, base_url: str = "") -> AsyncEvent | None:
        """The async event of a request: None while the task runs; 404 ``reports.unknown_request``."""
        self.settle(account_id)
        task = self.store.by_request(request_id, account_id)
        if task is None:
            raise ReportError("reports.unknown_request", requestId=request_id)
        current = progress(self.rules(account_id), task, now)
        if current.finished_at is None:
            return None
        problem = current.error
        if current.status is TaskStatus.STOPPED or (current.status is TaskStatus.DELETED and problem is None
                                                    and task.cancelled_at is not None):
            problem = Problem("reports.stopped", {"taskId": task.task_id})
        error = None if problem is None else ErrorEnvelope(error=problem.code, message=problem.message,
                                                           args=problem.args)
        return AsyncEvent(is_ok=error is None, request_id=task.request_id, request_time=task.created_at,
                          response_time=current.finished_at, payload=self.dto(task, now, base_url), error=error)

    # -- changing ----------------------------------------------------------------------------------------------

    def delete(self, account_id: int, task_id: str, now: datetime) -> TaskRecord:
        """DELETE of one task: a running one STOPS (the UI's cancel), a finished one is DELETED."""
        self.visible(account_id, task_id, now)
        task = self.store.delete(task_id, now, account_id)
        assert task is not None  # visible just now, and tasks are never removed but by clear()
        return task

    def delete_completed(self, account_id: int, now: datetime) -> int:
        self.settle(account_id)
        return self.store.delete_completed(account_id, now)

    def delete_all(self, account_id: int, now: datetime) -> int:
        self.settle(account_id)
        return self.store.delete_all(account_id, now)

    def fail(self, task_id: str, now: datetime, code: str, reason: str) -> TaskRecord:
        """The control API: the task FAILS now with ``code``; 409 ``reports.task_finished`` when it no longer runs."""
        task = self.task(None, task_id)
        args: dict[str, Any] = {"reason": reason}
        if code == "reports.too_many_rows":
            args = {"totalCount": task.total_count, "rowLimit": self.rules(task.account_id).row_limit}
        try:
            failed = self.store.fail(task_id, now, code, args)
        except TaskFinished as finished:
            raise ReportError("reports.task_finished", taskId=task_id, taskStatus=finished.status.value) from None
        assert failed is not None
        return failed

    def clear(self) -> int:
        self.lists.clear()
        with self._lock:
            self._counts.clear()
        return self.store.clear()

    # -- files -------------------------------------------------------------------------------------------------

    def file(self, account_id: int, task_id: str, now: datetime) -> tuple[TaskRecord, Path]:
        """The completed task's file, written on first use; 409 while it runs, 404 once expired or deleted."""
        task = self.task(account_id, task_id)
        current = progress(self.rules(account_id), task, now)
        if current.status is TaskStatus.DELETED and current.finished_at is not None and task.deleted_at is None:
            raise ReportError("reports.file_expired", taskId=task_id, expiredAt=current.expires_at.isoformat()
                              if current.expires_at else "?")
        if current.status is TaskStatus.DELETED:
            raise ReportError("reports.task_not_found", taskId=task_id)
        if current.status is not TaskStatus.COMPLETED:
            raise ReportError("reports.file_not_ready", taskId=task_id, taskStatus=current.status.value)
        with self._lock:
            lock = self._writing.setdefault(task_id, threading.Lock())
        with lock:  # one writer per task in this process; os.replace makes a race between processes harmless
            path = self.store.ensure_file(task, self._writer(task, current.finished_at))
        return task, path

    def _writer(self, task: TaskRecord, completed: datetime | None) -> Callable[[Path], object]:
        """Writes the task's file; its creation time is the task's completion, so the bytes depend on the task."""
        def write(path: Path) -> None:
            query = self.query_of(task)
            write_report(path, COLUMNS[query.report_type], report_rows(query), task.settings, created=completed)
        return write

    def finished_moment(self, task: TaskRecord, now: datetime) -> datetime:
        """When the task completed (its file's Last-Modified)."""
        finished = progress(self.rules(task.account_id), task, now).finished_at
        return finished if finished is not None else now

    def remove_expired_files(self, now: datetime) -> int:
        return self.store.remove_files_of_gone_tasks(now)

    def close(self) -> None:
        self.store.close()

