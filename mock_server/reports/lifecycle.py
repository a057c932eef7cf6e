"""A report task's life on the mock clock, as pure functions of (rules, task record, now).

CREATED until ``queue_delay`` after creation; then STARTED, ``writeCount`` growing at ``rows_per_second`` of
mock time; COMPLETED when every row is written. A DELETE while CREATED or STARTED stops the task (STOPPED,
``writeCount`` frozen); the control API can make it FAILED the same way; a report over ``row_limit`` rows FAILS
when it would start. A finished task (COMPLETED, STOPPED, FAILED) is DELETED ``retention`` after it finished,
or when deleted. Nothing here stores or writes: the record keeps the times of what happened, and the status at
any moment follows from them, so every process that shares the record agrees.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mock_server.reports.errors import Problem
from mock_server.reports.files import EXTENSIONS
from mock_server.reports.models import ReportGenerationTaskDto, ReportSettings, ReportType, TaskStatus

MICROS = 1_000_000
FILE_URL_TEMPLATE = "/api/v1/reporter/reports/tasks/{taskId}/file"
"""Where a completed task's file is downloaded (the wiring prefixes the server's base URL)."""


@dataclass(frozen=True, slots=True)
class ReportRules:
    """The undocumented numbers of report tasks; every one configurable."""

    queue_delay: timedelta = timedelta(seconds=5)
    rows_per_second: int = 10_000
    row_limit: int = 1_000_000
    retention: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if self.queue_delay < timedelta(0):
            raise ValueError("queue_delay must not be negative")
        if self.rows_per_second < 1:
            raise ValueError("rows_per_second must be at least 1")
        if self.row_limit < 1:
            raise ValueError("row_limit must be at least 1")
        if self.retention <= timedelta(0):
            raise ValueError("retention must be positive")


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """What is stored about a task: its request and the times of what happened to it."""

    task_id: str
    request_id: str
    account_id: int
    report_type: ReportType
    settings: ReportSettings
    created_at: datetime
    total_count: int
    project: str | None = None
    query: dict[str, Any] = field(default_factory=dict)
    """The report's query as :func:`content.describe_query` wrote it (to write the file later)."""
    cancelled_at: datetime | None = None
    failed_at: datetime | None = None
    error_code: str | None = None
    error_args: dict[str, Any] = field(default_factory=dict)
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    status: TaskStatus
    write_count: int
    started_at: datetime
    """When the task leaves the queue (in the future while CREATED)."""
    finished_at: datetime | None
    """When it completed, stopped or failed; None while it runs."""
    expires_at: datetime | None
    """When a finished task (and its file) is removed."""
    error: Problem | None = None


RANK = {TaskStatus.CREATED: 0, TaskStatus.STARTED: 1, TaskStatus.COMPLETED: 2, TaskStatus.STOPPED: 2,
        TaskStatus.FAILED: 2, TaskStatus.DELETED: 3}
"""Statuses only move up this order as time passes."""
RUNNING = frozenset({TaskStatus.CREATED, TaskStatus.STARTED})


def _written(rules: ReportRules, task: TaskRecord, start: datetime, moment: datetime) -> int:
    elapsed = max(0, (moment - start) // timedelta(microseconds=1))
    return min(task.total_count, elapsed * rules.rows_per_second // MICROS)


def natural_end(rules: ReportRules, task: TaskRecord) -> tuple[datetime, datetime, Problem | None]:
    """(start, end, failure) if nobody intervenes: over the row limit it fails at the start."""
    start = task.created_at + rules.queue_delay
    if task.total_count > rules.row_limit:
        return start, start, Problem("reports.too_many_rows", {"totalCount": task.total_count,
                                                               "rowLimit": rules.row_limit})
    run = -(-task.total_count * MICROS // rules.rows_per_second)
    return start, start + timedelta(microseconds=run), None


def _intervention(task: TaskRecord, before: datetime) -> tuple[datetime, TaskStatus] | None:
    """The first stop or failure that came while the task still ran."""
    events = [(moment, status) for moment, status in ((task.cancelled_at, TaskStatus.STOPPED),
                                                      (task.failed_at, TaskStatus.FAILED))
              if moment is not None and moment < before]
    return min(events, key=lambda event: event[0]) if events else None


def progress(rules: ReportRules, task: TaskRecord, now: datetime) -> Progress:
    """The task's status and writeCount at ``now``."""
    start, end, failure = natural_end(rules, task)
    stop = _intervention(task, end)
    if stop is not None and stop[0] <= now:
        moment, status = stop
        error = Problem(task.error_code or "reports.generation_failed", task.error_args) \
            if status is TaskStatus.FAILED else None
        current = Progress(status, _written(rules, task, start, moment), start, moment, moment + rules.retention,
                           error)
    elif now >= end:
        status = TaskStatus.FAILED if failure else TaskStatus.COMPLETED
        count = 0 if failure else task.total_count
        current = Progress(status, count, start, end, end + rules.retention, failure)
    else:
        status = TaskStatus.STARTED if now >= start else TaskStatus.CREATED
        current = Progress(status, _written(rules, task, start, now), start, None, None)
    return _deleted(task, current, now)


def _deleted(task: TaskRecord, current: Progress, now: datetime) -> Progress:
    gone = [moment for moment in (task.deleted_at, current.expires_at) if moment is not None and moment <= now]
    if not gone:
        return current
    return Progress(TaskStatus.DELETED, current.write_count, current.started_at, current.finished_at,
                    min(gone), current.error)


class DeleteAction(enum.Enum):
    STOP = "stop"
    """A running task: cancelled (STOPPED), as the UI's cancel button does."""
    DELETE = "delete"
    NONE = "none"
    """Already deleted."""


def on_delete(rules: ReportRules, task: TaskRecord, now: datetime) -> DeleteAction:
    """What ``DELETE .../tasks/{id}`` does to the task at ``now``."""
    status = progress(rules, task, now).status
    if status in RUNNING:
        return DeleteAction.STOP
    return DeleteAction.NONE if status is TaskStatus.DELETED else DeleteAction.DELETE


def can_fail(rules: ReportRules, task: TaskRecord, now: datetime) -> bool:
    """The control API can fail only a task that still runs."""
    return progress(rules, task, now).status in RUNNING


def file_name(task: TaskRecord) -> str:
    """``sessions_2026-03-05_14-07-09_1a2b3c4d.xlsx``: type, creation time (UTC), the task id's start."""
    stamp = task.created_at.strftime("%Y-%m-%d_%H-%M-%S")
    return f"{task.report_type.value.lower()}_{stamp}_{task.task_id[:8]}{EXTENSIONS[task.settings.file_type]}"


def task_dto(rules: ReportRules, task: TaskRecord, now: datetime, *, base_url: str = "",
             project_short_name: str | None = None) -> ReportGenerationTaskDto:
    """The task as the API shows it at ``now``: fileUrl and fileName only once COMPLETED."""
    current = progress(rules, task, now)
    completed = current.status is TaskStatus.COMPLETED
    return ReportGenerationTaskDto(
        task_id=task.task_id, account_id=task.account_id, creation_time=task.created_at, status=current.status,
        report_type=task.report_type, settings=task.settings, project_short_name=project_short_name,
        write_count=current.write_count, total_count=task.total_count,
        file_url=base_url + FILE_URL_TEMPLATE.format(taskId=task.task_id) if completed else None,
        file_name=file_name(task) if completed else None)
