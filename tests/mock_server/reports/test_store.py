"""The task store: two stores on one database behave as two processes on one data dir; tasks survive a restart."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mock_server.reports.lifecycle import ReportRules, progress
from mock_server.reports.models import ReportSettings, ReportType, TaskStatus
from mock_server.reports.store import ReportStore, TaskFinished

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
RULES = ReportRules(queue_delay=timedelta(seconds=5), rows_per_second=100, retention=timedelta(days=1))
RUNNING = T0 + timedelta(seconds=7)
DONE = T0 + timedelta(seconds=20)


@pytest.fixture
def stores(tmp_path: Path):
    first = ReportStore(tmp_path / "state.sqlite", tmp_path / "reports", RULES)
    second = ReportStore(tmp_path / "state.sqlite", tmp_path / "reports", RULES)
    yield first, second
    first.close()
    second.close()


def create(store: ReportStore, account_id: int = 1, total: int = 1000, file_type: str = "XLSX"):
    return store.create(account_id=account_id, report_type=ReportType.SESSIONS,
                        settings=ReportSettings.model_validate({"fileType": file_type}),
                        query={"reportType": "SESSIONS"}, total_count=total, now=T0, project="Demobot")


def status(store: ReportStore, task_id: str, now: datetime) -> TaskStatus:
    task = store.get(task_id)
    assert task is not None
    return progress(store.rules, task, now).status


def test_a_task_made_by_one_store_is_seen_by_the_other(stores) -> None:
    first, second = stores
    task = create(first)
    seen = second.get(task.task_id)
    assert seen == task
    assert second.by_request(task.request_id) == task
    assert [t.task_id for t in second.tasks(1, RUNNING)] == [task.task_id]


def test_another_accounts_task_is_not_found(stores) -> None:
    first, second = stores
    task = create(first, account_id=1)
    assert second.get(task.task_id, account_id=2) is None
    assert second.delete(task.task_id, RUNNING, account_id=2) is None
    assert second.tasks(2, RUNNING) == []


def test_delete_stops_a_running_task_then_a_second_delete_removes_it(stores) -> None:
    first, second = stores
    task = create(first)
    stopped = second.delete(task.task_id, RUNNING)
    assert stopped is not None and progress(RULES, stopped, RUNNING).status is TaskStatus.STOPPED
    assert status(first, task.task_id, DONE) is TaskStatus.STOPPED
    first.delete(task.task_id, DONE)
    assert status(second, task.task_id, DONE) is TaskStatus.DELETED
    assert second.tasks(1, DONE) == [] and len(second.tasks(1, DONE, include_deleted=True)) == 1


def test_fail_is_for_running_tasks_only(stores) -> None:
    first, second = stores
    task = create(first)
    failed = second.fail(task.task_id, RUNNING, args={"reason": "injected"})
    assert failed is not None
    current = progress(RULES, failed, DONE)
    assert current.status is TaskStatus.FAILED and current.error is not None
    assert current.error.message == "The report could not be generated: injected"
    with pytest.raises(TaskFinished) as caught:
        first.fail(task.task_id, DONE)
    assert caught.value.status is TaskStatus.FAILED
    assert first.fail("no-such-task", DONE) is None


def test_delete_completed_and_delete_all(stores) -> None:
    first, second = stores
    done = create(first, total=100)
    running = create(first, total=100_000)
    assert second.delete_completed(1, DONE) == 1
    assert status(first, done.task_id, DONE) is TaskStatus.DELETED
    assert status(first, running.task_id, DONE) is TaskStatus.STARTED
    assert second.delete_all(1, DONE) == 1
    stopped = first.get(running.task_id)
    assert stopped is not None and stopped.cancelled_at == DONE and stopped.deleted_at == DONE
    assert first.tasks(1, DONE) == []


def test_tasks_survive_a_restart(tmp_path: Path) -> None:
    with ReportStore(tmp_path / "db.sqlite", tmp_path / "files", RULES) as store:
        task = create(store)
        store.fail(task.task_id, RUNNING, code="reports.generation_failed", args={"reason": "x"})
    with ReportStore(tmp_path / "db.sqlite", tmp_path / "files", RULES) as again:
        restored = again.get(task.task_id)
    assert restored is not None and restored.failed_at == RUNNING and restored.error_args == {"reason": "x"}
    assert restored.settings == task.settings and restored.created_at == T0


def test_files_are_written_once_and_removed_with_their_task(stores, tmp_path: Path) -> None:
    first, second = stores
    task = create(first, total=100, file_type="CSV")
    calls: list[Path] = []

    def write(path: Path) -> None:
        calls.append(path)
        path.write_text("a,b\r\n")

    path = first.ensure_file(task, write)
    assert second.ensure_file(task, write) == path and calls == [path] and path.suffix == ".csv"
    assert second.remove_files_of_gone_tasks(DONE) == 0
    assert second.remove_files_of_gone_tasks(DONE + RULES.retention) == 1 and not path.exists()


def test_stale_temporary_files_are_removed_at_start_but_fresh_ones_kept(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    stale, fresh, scratch = folder / ".a.xlsx.x1.part", folder / ".b.csv.x2.part", folder / ".xlsx-scratch-old"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    scratch.mkdir()
    (scratch / "rows").write_bytes(b"x")
    kept = folder / "done.xlsx"
    kept.write_bytes(b"x")
    old = time.time() - 7200
    for path in (stale, scratch, kept):
        os.utime(path, (old, old))
    store = ReportStore(tmp_path / "db.sqlite", folder, RULES)
    store.close()
    assert store.removed_at_start == 2
    assert sorted(path.name for path in folder.iterdir()) == [".b.csv.x2.part", "done.xlsx"]


def test_clear_forgets_tasks_and_files(stores) -> None:
    first, second = stores
    task = create(first, file_type="CSV")
    first.ensure_file(task, lambda path: path.write_text("x"))
    assert second.clear() == 1
    assert first.get(task.task_id) is None and list(first.files_dir.iterdir()) == []
