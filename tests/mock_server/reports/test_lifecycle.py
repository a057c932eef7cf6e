"""A task's status and writeCount as the mock clock moves: every transition at its edges, and properties."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from mock_server.reports.lifecycle import (
    RANK,
    DeleteAction,
    ReportRules,
    TaskRecord,
    can_fail,
    file_name,
    on_delete,
    progress,
    task_dto,
)
from mock_server.reports.models import ReportSettings, ReportType, TaskStatus

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
RULES = ReportRules(queue_delay=timedelta(seconds=5), rows_per_second=100, row_limit=10_000,
                    retention=timedelta(days=1))
START = T0 + RULES.queue_delay
TASK = TaskRecord("4f1c2b3a-0000-4000-8000-000000000001", "r1", 7, ReportType.SESSIONS,
                  ReportSettings(file_type="XLSX"), T0, total_count=1000)
END = START + timedelta(seconds=10)


def at(task: TaskRecord, moment: datetime) -> tuple[TaskStatus, int]:
    current = progress(RULES, task, moment)
    return current.status, current.write_count


def test_queue_then_zero_half_and_full_progress() -> None:
    assert at(TASK, T0) == (TaskStatus.CREATED, 0)
    assert at(TASK, START - timedelta(microseconds=1)) == (TaskStatus.CREATED, 0)
    assert at(TASK, START) == (TaskStatus.STARTED, 0)
    assert at(TASK, START + timedelta(seconds=5)) == (TaskStatus.STARTED, 500)
    assert at(TASK, END - timedelta(microseconds=1)) == (TaskStatus.STARTED, 999)
    assert at(TASK, END) == (TaskStatus.COMPLETED, 1000)


def test_completed_file_is_kept_for_the_retention_then_deleted() -> None:
    assert progress(RULES, TASK, END).expires_at == END + RULES.retention
    assert at(TASK, END + RULES.retention - timedelta(microseconds=1)) == (TaskStatus.COMPLETED, 1000)
    assert at(TASK, END + RULES.retention) == (TaskStatus.DELETED, 1000)


def test_cancel_while_running_freezes_the_count() -> None:
    cancelled = dataclasses.replace(TASK, cancelled_at=START + timedelta(seconds=3))
    assert at(cancelled, START + timedelta(seconds=3) - timedelta(microseconds=1))[0] is TaskStatus.STARTED
    assert at(cancelled, START + timedelta(seconds=3)) == (TaskStatus.STOPPED, 300)
    assert at(cancelled, END + timedelta(hours=1)) == (TaskStatus.STOPPED, 300)


def test_cancel_in_the_queue_stops_at_zero_and_cancel_at_the_end_is_too_late() -> None:
    assert at(dataclasses.replace(TASK, cancelled_at=T0 + timedelta(seconds=1)), START) == (TaskStatus.STOPPED, 0)
    assert at(dataclasses.replace(TASK, cancelled_at=END), END) == (TaskStatus.COMPLETED, 1000)


def test_control_failure_carries_its_error() -> None:
    failed = dataclasses.replace(TASK, failed_at=START + timedelta(seconds=2), error_code="reports.generation_failed",
                                 error_args={"reason": "disk full"})
    current = progress(RULES, failed, END)
    assert (current.status, current.write_count) == (TaskStatus.FAILED, 200)
    assert current.error is not None and current.error.message == "The report could not be generated: disk full"


def test_the_earlier_of_cancel_and_failure_wins() -> None:
    both = dataclasses.replace(TASK, cancelled_at=START + timedelta(seconds=4), failed_at=START + timedelta(seconds=2))
    assert at(both, END) == (TaskStatus.FAILED, 200)


def test_over_the_row_limit_fails_when_it_would_start() -> None:
    huge = dataclasses.replace(TASK, total_count=RULES.row_limit + 1)
    assert at(huge, START - timedelta(microseconds=1)) == (TaskStatus.CREATED, 0)
    current = progress(RULES, huge, START)
    assert (current.status, current.write_count) == (TaskStatus.FAILED, 0)
    assert current.error is not None and current.error.code == "reports.too_many_rows"
    at_limit = dataclasses.replace(TASK, total_count=RULES.row_limit)
    assert at(at_limit, START + timedelta(seconds=100)) == (TaskStatus.COMPLETED, RULES.row_limit)


def test_an_empty_report_completes_when_it_starts() -> None:
    empty = dataclasses.replace(TASK, total_count=0)
    assert at(empty, START) == (TaskStatus.COMPLETED, 0)


def test_delete_stops_a_running_task_and_deletes_a_finished_one() -> None:
    assert on_delete(RULES, TASK, T0) is DeleteAction.STOP
    assert on_delete(RULES, TASK, START + timedelta(seconds=1)) is DeleteAction.STOP
    assert on_delete(RULES, TASK, END) is DeleteAction.DELETE
    deleted = dataclasses.replace(TASK, deleted_at=END)
    assert at(deleted, END) == (TaskStatus.DELETED, 1000)
    assert on_delete(RULES, deleted, END) is DeleteAction.NONE


def test_only_running_tasks_can_be_failed() -> None:
    assert can_fail(RULES, TASK, START) and not can_fail(RULES, TASK, END)


def test_dto_has_file_fields_only_when_completed() -> None:
    running = task_dto(RULES, TASK, START + timedelta(seconds=5), base_url="http://127.0.0.1:8080")
    assert running.file_url is None and running.file_name is None and running.write_count == 500
    done = task_dto(RULES, TASK, END, base_url="http://127.0.0.1:8080").to_json()
    assert done["status"] == "COMPLETED" and done["writeCount"] == done["totalCount"] == 1000
    assert done["fileUrl"] == f"http://127.0.0.1:8080/api/v1/reporter/reports/tasks/{TASK.task_id}/file"
    assert done["fileName"] == file_name(TASK) == "sessions_2026-03-05_12-00-00_4f1c2b3a.xlsx"


@pytest.mark.parametrize("field", ["queue_delay", "rows_per_second", "row_limit", "retention"])
def test_rules_refuse_nonsense(field: str) -> None:
    bad = {"queue_delay": timedelta(seconds=-1), "rows_per_second": 0, "row_limit": 0, "retention": timedelta(0)}
    with pytest.raises(ValueError, match=field):
        ReportRules(**{field: bad[field]})


seconds = st.integers(min_value=0, max_value=600)
tasks = st.builds(
    lambda total, cancel, fail, delete: dataclasses.replace(
        TASK, total_count=total,
        cancelled_at=None if cancel is None else T0 + timedelta(seconds=cancel),
        failed_at=None if fail is None else T0 + timedelta(seconds=fail),
        deleted_at=None if delete is None else T0 + timedelta(seconds=delete)),
    st.integers(min_value=0, max_value=20_000), st.none() | seconds, st.none() | seconds, st.none() | seconds)
rules = st.builds(ReportRules, queue_delay=st.integers(0, 30).map(lambda s: timedelta(seconds=s)),
                  rows_per_second=st.integers(1, 500), row_limit=st.integers(1, 20_000),
                  retention=st.integers(1, 400).map(lambda s: timedelta(seconds=s)))


@settings(max_examples=300, deadline=None)
@given(rules, tasks, st.lists(seconds, min_size=2, max_size=8))
def test_status_never_goes_back_and_write_count_grows_within_total(rule: ReportRules, task: TaskRecord,
                                                                    moments: list[int]) -> None:
    previous = None
    for moment in sorted(moments):
        current = progress(rule, task, T0 + timedelta(seconds=moment))
        event(current.status.value)
        assert 0 <= current.write_count <= task.total_count
        if current.status is TaskStatus.COMPLETED:
            assert current.write_count == task.total_count
        if previous is not None:
            assert RANK[current.status] >= RANK[previous.status]
            assert current.write_count >= previous.write_count
            if RANK[previous.status] == 2:
                assert current.status in (previous.status, TaskStatus.DELETED)
        previous = current


def test_the_property_reaches_every_status() -> None:
    """The strategies above produce every status: sample them directly and count."""
    seen: set[TaskStatus] = set()

    @settings(max_examples=600, deadline=None, database=None, derandomize=True)
    @given(rules, tasks, seconds)
    def collect(rule: ReportRules, task: TaskRecord, moment: int) -> None:
        seen.add(progress(rule, task, T0 + timedelta(seconds=moment)).status)

    collect()
    assert seen == set(TaskStatus)
