"""Report tasks on SQLite and their files in one folder: shared by every process on a data dir, kept across restarts.

The table ``report_tasks`` lives in the database file it is given (the server's ``state.sqlite`` or one of its
own). A task row records its request and the times of what happened to it; the status at any moment is
:func:`lifecycle.progress` of that row and the clock, so nothing needs to run in the background. Each change
is one ``BEGIN IMMEDIATE`` transaction that reads the row and writes the change, so two processes deleting or
failing the same task at once agree on the outcome.

Files are ``<folder>/<taskId>.<ext>``, written atomically on demand (the content is a pure function of the
stored query); temporary files a crashed writer left behind are removed when a store opens.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mock_server.reports.files import EXTENSIONS, SCRATCH_PREFIX
from mock_server.reports.lifecycle import (
    RUNNING,
    DeleteAction,
    ReportRules,
    TaskRecord,
    can_fail,
    on_delete,
    progress,
)
from mock_server.reports.models import ReportSettings, ReportType, TaskStatus
from mock_server.sqlite import connect_db, sqlite_transaction

UNCOUNTED = -1
"""totalCount not counted yet: creating a task does not wait for a pass over the period (see set_total)."""
STALE_AFTER = timedelta(hours=1)
"""A temporary file older than this (real time) belongs to no live writer."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS report_tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL UNIQUE, request_id TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL, report_type TEXT NOT NULL, settings TEXT NOT NULL, created_at INTEGER NOT NULL,
    total_count INTEGER NOT NULL, project TEXT, query TEXT NOT NULL, cancelled_at INTEGER, failed_at INTEGER,
    error_code TEXT, error_args TEXT NOT NULL DEFAULT '{}', deleted_at INTEGER);
CREATE INDEX IF NOT EXISTS report_tasks_account ON report_tasks (account_id, seq);
"""
_COLUMNS = ("task_id, request_id, account_id, report_type, settings, created_at, total_count, project, query, "
            "cancelled_at, failed_at, error_code, error_args, deleted_at")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TaskFinished(Exception):
    """The control API tried to fail a task that no longer runs."""

    def __init__(self, task: TaskRecord, status: TaskStatus) -> None:
        super().__init__(f"task {task.task_id} is {status.value}")
        self.task, self.status = task, status


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - _EPOCH) // timedelta(microseconds=1)


def _moment(micros: int | None) -> datetime | None:
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def _record(row: tuple[Any, ...]) -> TaskRecord:
    (task_id, request_id, account_id, report_type, settings, created, total, project, query, cancelled, failed,
     code, args, deleted) = row
    created_at = _moment(created)
    assert created_at is not None
    return TaskRecord(task_id, request_id, account_id, ReportType(report_type),
                      ReportSettings.model_validate_json(settings), created_at, total, project, json.loads(query),
                      _moment(cancelled), _moment(failed), code, json.loads(args), _moment(deleted))


class ReportStore:
    def __init__(self, db_path: str | Path, files_dir: str | Path, rules: ReportRules | None = None,
                 rules_of: Callable[[int], ReportRules] | None = None) -> None:
        """``rules_of(account_id)``: an account's own rules, when accounts differ (default: ``rules`` for all)."""
        self.rules = rules or ReportRules()
        self.rules_of = rules_of or (lambda account_id: self.rules)
        self.files_dir = Path(files_dir)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = connect_db(db_path)
        self._db.executescript(_SCHEMA)
        self.removed_at_start = self.remove_stale_temporaries()

    # -- transactions ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self, mode: str) -> Iterator[sqlite3.Connection]:
        with self._lock, sqlite_transaction(self._db, mode) as db:
            yield db

    def _one(self, db: sqlite3.Connection, where: str, *params: Any) -> TaskRecord | None:
        row = db.execute(f"SELECT {_COLUMNS} FROM report_tasks WHERE {where}", params).fetchone()
        return None if row is None else _record(row)

    # -- reading -----------------------------------------------------------------------------------------------

    def get(self, task_id: str, account_id: int | None = None) -> TaskRecord | None:
        """The task, or None when there is none (or it is another account's: the API answers 404 alike)."""
        with self._transaction("DEFERRED") as db:
            task = self._one(db, "task_id = ?", task_id)
        return task if task is not None and account_id in (None, task.account_id) else None

    def by_request(self, request_id: str, account_id: int | None = None) -> TaskRecord | None:
        with self._transaction("DEFERRED") as db:
            task = self._one(db, "request_id = ?", request_id)
        return task if task is not None and account_id in (None, task.account_id) else None

    def tasks(self, account_id: int | None, now: datetime, *, include_deleted: bool = False) -> list[TaskRecord]:
        """An account's tasks (every account's for None), oldest first; DELETED ones only when asked."""
        where, params = ("account_id = ?", (account_id,)) if account_id is not None else ("1", ())
        with self._transaction("DEFERRED") as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM report_tasks WHERE {where} ORDER BY seq", params).fetchall()
        records = [_record(row) for row in rows]
        if include_deleted:
            return records
        return [task for task in records
                if progress(self.rules_of(task.account_id), task, now).status is not TaskStatus.DELETED]

    # -- changes -----------------------------------------------------------------------------------------------

    def create(self, *, account_id: int, report_type: ReportType, settings: ReportSettings, query: dict[str, Any],
               total_count: int, now: datetime, project: str | None = None) -> TaskRecord:
        task = TaskRecord(str(uuid.uuid4()), str(uuid.uuid4()), account_id, report_type, settings, now, total_count,
                          project, query)
        with self._transaction("IMMEDIATE") as db:
            db.execute(f"INSERT INTO report_tasks ({_COLUMNS}) VALUES ({', '.join('?' * 14)})", (
                task.task_id, task.request_id, account_id, report_type.value, settings.model_dump_json(),
                _micros(now), total_count, project, json.dumps(query), None, None, None, "{}", None))
        return task

    def uncounted(self, account_id: int | None = None) -> list[TaskRecord]:
        """Tasks whose totalCount is not known yet (an account's, or every account's for None)."""
        where, params = ("AND account_id = ?", (account_id,)) if account_id is not None else ("", ())
        with self._transaction("DEFERRED") as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM report_tasks WHERE total_count = ? {where}",
                              (UNCOUNTED, *params)).fetchall()
        return [_record(row) for row in rows]

    def set_total(self, task_id: str, total_count: int) -> None:
        """Record a counted totalCount (the count is a pure function of the task's query: any process may)."""
        with self._transaction("IMMEDIATE") as db:
            db.execute("UPDATE report_tasks SET total_count = ? WHERE task_id = ?", (total_count, task_id))

    def delete(self, task_id: str, now: datetime, account_id: int | None = None) -> TaskRecord | None:
        """DELETE of one task: a running one stops, a finished one is deleted; None when there is no such task."""
        with self._transaction("IMMEDIATE") as db:
            task = self._one(db, "task_id = ?", task_id)
            if task is None or account_id not in (None, task.account_id):
                return None
            self._apply_delete(db, task, now)
            return self._one(db, "task_id = ?", task_id)

    def _apply_delete(self, db: sqlite3.Connection, task: TaskRecord, now: datetime) -> DeleteAction:
        action = on_delete(self.rules_of(task.account_id), task, now)
        column = {DeleteAction.STOP: "cancelled_at", DeleteAction.DELETE: "deleted_at"}.get(action)
        if column is not None:
            db.execute(f"UPDATE report_tasks SET {column} = ? WHERE task_id = ?", (_micros(now), task.task_id))
        return action

    def delete_where(self, account_id: int, now: datetime, statuses: frozenset[TaskStatus]) -> int:
        """Delete an account's tasks in ``statuses`` (running ones are stopped and deleted); returns how many."""
        micros = _micros(now)
        count = 0
        with self._transaction("IMMEDIATE") as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM report_tasks WHERE account_id = ? AND deleted_at IS NULL",
                              (account_id,)).fetchall()
            for task in map(_record, rows):
                status = progress(self.rules_of(task.account_id), task, now).status
                if status not in statuses:
                    continue
                stop = "cancelled_at = ?, " if status in RUNNING else ""
                params = (micros, micros) if stop else (micros,)
                db.execute(f"UPDATE report_tasks SET {stop}deleted_at = ? WHERE task_id = ?", (*params, task.task_id))
                count += 1
        return count

    def delete_completed(self, account_id: int, now: datetime) -> int:
        """``DELETE /reports``: the COMPLETED tasks."""
        return self.delete_where(account_id, now, frozenset({TaskStatus.COMPLETED}))

    def delete_all(self, account_id: int, now: datetime) -> int:
        """``DELETE /reports/all``: every task not yet deleted, stopping the running ones."""
        return self.delete_where(account_id, now, frozenset(TaskStatus) - {TaskStatus.DELETED})

    def fail(self, task_id: str, now: datetime, code: str = "reports.generation_failed",
             args: dict[str, Any] | None = None) -> TaskRecord | None:
        """Make a running task FAIL now with ``code``; TaskFinished if it no longer runs, None if there is none."""
        with self._transaction("IMMEDIATE") as db:
            task = self._one(db, "task_id = ?", task_id)
            if task is None:
                return None
            if not can_fail(self.rules_of(task.account_id), task, now):
                raise TaskFinished(task, progress(self.rules_of(task.account_id), task, now).status)
            db.execute("UPDATE report_tasks SET failed_at = ?, error_code = ?, error_args = ? WHERE task_id = ?",
                       (_micros(now), code, json.dumps(args or {}), task_id))
            return self._one(db, "task_id = ?", task_id)

    def clear(self) -> int:
        """Forget every task and file (the control API's reset); returns how many tasks there were."""
        with self._transaction("IMMEDIATE") as db:
            count = db.execute("DELETE FROM report_tasks").rowcount
        for path in self.files_dir.iterdir():
            if path.is_file():
                path.unlink(missing_ok=True)
        return count

    # -- files -------------------------------------------------------------------------------------------------

    def file_path(self, task: TaskRecord) -> Path:
        return self.files_dir / f"{task.task_id}{EXTENSIONS[task.settings.file_type]}"

    def ensure_file(self, task: TaskRecord, write: Callable[[Path], object]) -> Path:
        """The task's file, written by ``write(path)`` (atomically, e.g. files.write_report) if not there yet."""
        path = self.file_path(task)
        if not path.exists():
            write(path)
        return path

    def remove_files_of_gone_tasks(self, now: datetime) -> int:
        """Remove the files of DELETED tasks (deleted or past retention); returns how many."""
        removed = 0
        for task in self.tasks(None, now, include_deleted=True):
            path = self.file_path(task)
            if path.exists() and progress(self.rules_of(task.account_id), task, now).status is TaskStatus.DELETED:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def remove_stale_temporaries(self, older_than: timedelta = STALE_AFTER) -> int:
        """Temporary files and XLSX scratch folders a crashed writer left (only old ones: others may be live)."""
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        for path in self.files_dir.iterdir():
            temporary = path.name.startswith(SCRATCH_PREFIX) or (path.name.startswith(".") and
                                                                  path.name.endswith(".part"))
            if not temporary or path.stat().st_mtime > cutoff:
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed += 1
        return removed

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
