"""The job's own tests, written with jaicp-mock's pytest plugin; each runs live and offline (see conftest.py)."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from etl import AccessDenied, NotYetAvailable, ServerUnavailable, Unavailable, Warehouse, load_day, run
from requests.adapters import HTTPAdapter

from mock_server.testing import JaicpMock

DAY = date(2026, 3, 4)
AFTER_DAY = "2026-03-05T00:01:00Z"
"""00:01 UTC the next day: DAY's file has just been written."""
COMPARED = ("session_id", "client_id", "msg_rt", "msg_question", "msg_answer", "state_before", "state_after",
            "msg_switched", "msg_operator")


def stored(warehouse: Warehouse, day: date | None = None) -> list[tuple]:
    where, args = ("WHERE file_day = ?", (day.isoformat(),)) if day else ("", ())
    return warehouse.db.execute(f"SELECT {', '.join(COMPARED)} FROM messages {where}", args).fetchall()


def expected(mock: JaicpMock, day: date = DAY, version: int = 1) -> list[tuple]:
    """What the mock served, from its own typed reader, in the text form the job stores."""
    return [(r.session_id, r.client_id, r.msg_rt.strftime("%d.%m.%Y %H:%M:%S"), r.msg_question, r.msg_answer,
             r.state_before, r.state_after, str(r.msg_switched).lower(), str(r.msg_operator).lower())
            for r in mock.expected_records(day, version)]


@pytest.mark.jaicp(now=AFTER_DAY)
def test_loads_yesterday_exactly_as_served(mock, make_client, warehouse, sleeps):
    result = run(make_client(), warehouse, mock.clock.now())

    rows = expected(mock)
    assert result.changed and result.day == DAY and result.version == "1" and result.etag
    assert (result.rows_in_file, result.rows_added) == (len(rows), len(rows))
    assert sorted(stored(warehouse)) == sorted(rows)
    assert [(entry["path"], entry["status"], entry["login"]) for entry in mock.requests] == [
        ("/restapi/rawlogs/04-03-2026.csv", 200, "analyst")]

    again = run(make_client(), warehouse, mock.clock.now())
    assert not again.changed and again.etag == result.etag  # a conditional GET: 304, nothing re-sent
    assert mock.requests[-1]["status"] == 304
    assert len(stored(warehouse)) == len(rows) and sleeps == []


@pytest.mark.jaicp(now=AFTER_DAY)
def test_wrong_password_fails_at_once(mock, make_client, warehouse, sleeps):
    with pytest.raises(AccessDenied) as denied:
        run(make_client("analyst", "not-the-password"), warehouse, mock.clock.now())
    assert (denied.value.status, denied.value.code) == (401, "rawlogs.unauthorized")
    assert len(mock.requests) == 1 and sleeps == []
    assert stored(warehouse) == []


@pytest.mark.jaicp(now=AFTER_DAY)
def test_user_without_the_role_fails_at_once(mock, make_client, warehouse, sleeps):
    with pytest.raises(AccessDenied) as denied:
        run(make_client("viewer"), warehouse, mock.clock.now())
    assert (denied.value.status, denied.value.code) == (403, "rawlogs.missing_role")
    assert len(mock.requests) == 1 and sleeps == []


@pytest.mark.jaicp(now="2026-03-05T00:00:30Z")
def test_not_generated_at_00_00_30_then_loaded_at_00_01(mock, make_client, warehouse, sleeps):
    with pytest.raises(NotYetAvailable) as early:
        run(make_client(), warehouse, mock.clock.now())
    assert (early.value.status, early.value.code) == (404, "rawlogs.not_generated_yet")
    assert stored(warehouse) == [] and sleeps == []

    mock.clock.set(AFTER_DAY)
    result = run(make_client(), warehouse, mock.clock.now())
    assert result.day == DAY and result.rows_added == len(expected(mock)) > 0


@pytest.mark.jaicp(now=AFTER_DAY)
def test_forced_regeneration_is_picked_up_after_ten_minutes_without_duplicates(mock, make_client, warehouse):
    analyst = make_client()
    first = run(analyst, warehouse, mock.clock.now())
    ticket = make_client("admin").regenerate(mock.account_id, DAY)
    assert ticket["version"] == 2

    mock.clock.advance(timedelta(minutes=9, seconds=59))
    assert not run(analyst, warehouse, mock.clock.now()).changed  # version 1 is still the one served
    mock.clock.advance(1)
    second = run(analyst, warehouse, mock.clock.now())

    v1, v2 = expected(mock, version=1), expected(mock, version=2)
    assert second.changed and second.version == "2" and second.etag != first.etag
    assert (second.rows_in_file, second.rows_added) == (len(v2), len(v2) - len(v1))
    assert len(v2) > len(v1)  # late-arriving dialogs, so the test proves something
    rows = stored(warehouse)
    assert len(rows) == len(v2) and set(rows) == set(v1) | set(v2)
    assert [entry["status"] for entry in mock.requests] == [200, 202, 304, 200]
    loads = warehouse.db.execute("SELECT version, etag FROM loads ORDER BY id").fetchall()
    assert loads == [("1", first.etag), ("2", second.etag)]


@pytest.mark.jaicp(now=AFTER_DAY)
def test_cleanup_removes_old_days(mock, make_client, warehouse):
    client = make_client()
    backfilled = load_day(client, warehouse, DAY - timedelta(days=1), mock.clock.now())
    run(client, warehouse, mock.clock.now())

    mock.set_cleanup_days(1)
    mock.clock.advance(timedelta(days=1))  # the next run of cleanup (00:01) keeps one day
    for old_day in (DAY - timedelta(days=1), DAY):
        with pytest.raises(Unavailable) as gone:
            load_day(client, warehouse, old_day, mock.clock.now())
        assert (gone.value.status, gone.value.code) == (404, "rawlogs.cleaned")
    latest = run(client, warehouse, mock.clock.now())
    assert latest.day == DAY + timedelta(days=1) and latest.rows_added == len(expected(mock, latest.day))
    assert len(stored(warehouse, backfilled.day)) == backfilled.rows_added  # what was loaded stays loaded


@pytest.mark.jaicp(now=AFTER_DAY)
def test_5xx_is_retried_with_backoff_until_the_platform_recovers(mock, make_client, warehouse, sleeps):
    mock.add_fault(503, times=2)  # the platform's next two answers are 503
    result = run(make_client(backoff=0.5), warehouse, mock.clock.now())
    assert result.rows_added == len(expected(mock))
    assert sleeps == [0.5, 1.0]
    assert [(entry["status"], entry["error"]) for entry in mock.requests] == [
        (503, "rawlogs.unavailable"), (503, "rawlogs.unavailable"), (200, None)]
    assert mock.faults == []


@pytest.mark.jaicp(now=AFTER_DAY)
def test_retries_are_bounded(mock, make_client, warehouse, sleeps):
    mock.add_fault(502, times=10)
    with pytest.raises(ServerUnavailable, match="failed 3 times; last: HTTP 502"):
        run(make_client(attempts=3), warehouse, mock.clock.now())
    assert sleeps == [1.0, 2.0] and stored(warehouse) == []
    assert [entry["status"] for entry in mock.requests] == [502, 502, 502]
    assert mock.faults[0]["remaining"] == 7  # the job gave up; the platform is still failing


@pytest.mark.jaicp(now=AFTER_DAY)
def test_throttling_waits_as_long_as_retry_after_says(mock, make_client, warehouse, sleeps):
    mock.add_fault(429, path=DAY, retry_after=30)  # only yesterday's download is throttled, once
    result = run(make_client(), warehouse, mock.clock.now())
    assert result.rows_added == len(expected(mock)) and sleeps == [30.0]
    assert [entry["status"] for entry in mock.requests] == [429, 200]


class DroppedConnections(HTTPAdapter):
    """Drops the first ``count`` connections (the mock injects error answers, not network failures)."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def send(self, request, **kwargs):
        if self.count:
            self.count -= 1
            raise requests.ConnectionError("connection reset by peer", request=request)
        return super().send(request, **kwargs)


@pytest.mark.jaicp(now=AFTER_DAY)
def test_dropped_connections_are_retried_too(mock, make_client, warehouse, sleeps):
    session = requests.Session()
    session.mount("http://", DroppedConnections(1))
    session.mount("https://", DroppedConnections(1))
    mock.add_fault(503)
    result = run(make_client(session=session, backoff=0.5), warehouse, mock.clock.now())
    assert result.rows_added == len(expected(mock))
    assert sleeps == [0.5, 1.0]
    assert [entry["status"] for entry in mock.requests] == [503, 200]  # the dropped one never reached the server


@pytest.mark.jaicp(now="2026-03-05T06:00:00Z")
def test_readme_example_runs(mock, tmp_path, monkeypatch):
    readme = (Path(__file__).parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks, "the README lost its example"
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block.replace("https://app.jaicp.com", mock.url), "README.md", "exec"), {})
    with sqlite3.connect(tmp_path / "rawlogs.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == len(expected(mock))
