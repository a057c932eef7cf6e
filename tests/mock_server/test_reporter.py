"""The Reporter and Async API over HTTP: auth and roles, the task lifecycle on the mock clock, cancel and failure,
downloads, time zones, the agreement with the raw-log CSV, and tasks shared across processes and restarts."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
import pytest

from generators.csvformat import read_records
from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
from mock_server.reports.models import FilterKey
from mock_server.testing import JaicpMock, ReportRequestError
from tests.support import ACCOUNT, ANALYST, CONFIG_TOML, T0, YESTERDAY, assert_envelope, basic, bearer

CREATE = "/api/v1/async/reporter/reports"
TASKS = "/api/v1/reporter/reports"
DAY = {"key": "MESSAGE_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-03T00:00:00Z", "to": "2026-03-04T00:00:00Z"}
XLSX = {"fileType": "XLSX"}
SLOW = "\n[reports]\nqueue_delay_seconds = 5\nrows_per_second = 2\nretention_days = 1\n"


def _create(client, kind="messages", filters=(DAY,), settings=XLSX, login=ANALYST, headers=None, query=""):
    return client.post(f"{CREATE}/{kind}{query}", json={"filters": list(filters), "settings": settings},
                       headers={**bearer(login), **(headers or {})})


def _task(client, login=ANALYST):
    tasks = client.get(TASKS, headers=bearer(login)).get_json()["tasks"]
    return tasks[-1]


@pytest.fixture
def slow_app(tmp_path):
    """Two rows per second of mock time: a test can watch a report at 0 %, 50 % and 100 %."""
    application = create_app(parse_config(CONFIG_TOML + SLOW, "slow.toml"), data_dir=tmp_path / "slow",
                             clock=Clock(T0, frozen=True))
    yield application
    state_of(application).close()


# -- auth and roles --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope-nope-nope"}, basic(ANALYST),
                                     {"Authorization": "Bearer "}])
def test_a_missing_or_wrong_token_is_401_with_a_bearer_challenge(client, headers):
    response = client.get(TASKS, headers=headers)
    assert_envelope(response, 401, "reports.unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_user_without_the_analytics_permission_gets_403(client):
    assert_envelope(client.get(TASKS, headers=bearer("viewer")), 403, "reports.missing_role")
    assert client.get(TASKS, headers=bearer("admin")).status_code == 200  # the administrator has every permission


def test_the_token_is_never_journaled(client, state):
    _create(client)
    text = json.dumps(state.journal.entries())
    assert "analyst-token-1" not in text and "Bearer [redacted]" in text


def test_another_accounts_task_is_404_like_an_unknown_one(client):
    task_id = _task(client) if _create(client).status_code == 200 else None
    assert task_id is not None
    task_id = task_id["taskId"]
    for method in ("get", "delete"):
        assert_envelope(getattr(client, method)(f"{TASKS}/tasks/{task_id}", headers=bearer("other")), 404,
                        "reports.task_not_found")
    assert_envelope(client.get(f"{TASKS}/tasks/{task_id}/file", headers=bearer("other")), 404)
    assert client.get(TASKS, headers=bearer("other")).get_json() == {"tasks": []}


# -- bad input -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "code"), [
    ({"filters": [{"key": "NOPE", "type": "TEXT", "value": "x"}], "settings": XLSX}, "reports.unknown_filter_key"),
    ({"filters": [{**DAY, "from": DAY["to"], "to": DAY["from"]}], "settings": XLSX}, "reports.bad_range"),
    ({"settings": {"fileType": "PDF"}}, "reports.unknown_file_type"),
    ({"settings": {"fileType": "CSV", "delimiter": ";;"}}, "reports.bad_delimiter"),
    ({"settings": {"fileType": "CSV", "dateTimeFormat": "yyyy-qq"}}, "reports.bad_date_pattern"),
    ({"filters": [{**DAY, "from": "2027-01-01T00:00:00Z", "to": None}], "settings": XLSX}, "reports.bad_period"),
    ({"filters": [{**DAY, "from": "0002-01-01T00:00:00Z", "to": "0002-01-02T00:00:00Z"}], "settings": XLSX},
     "reports.bad_period"),  # the generator writes years 1900 to 9998 only (found by schemathesis)
    ({"filters": [{**DAY, "from": None, "to": "0001-01-02T00:00:00Z"}], "settings": XLSX}, "reports.bad_period"),
    (None, "reports.bad_json"),
])
def test_bad_requests_get_the_envelope(client, body, code):
    response = client.post(f"{CREATE}/sessions", json=body, headers=bearer(ANALYST))
    assert_envelope(response, 400, code)


def test_unknown_filter_keys_are_listed(client):
    response = _create(client, filters=[{"key": "NOPE", "type": "TEXT", "value": "x"}])
    assert all(key.value in response.get_json()["message"] for key in FilterKey)


def test_bad_timezone_unknown_project_and_unknown_parameter(client):
    assert_envelope(_create(client, headers={"Timezone": "Mars/Olympus"}), 400, "reports.bad_timezone")
    assert_envelope(_create(client, query="?projectShortName=nope"), 404, "reports.unknown_project")
    assert_envelope(_create(client, query="?projectshortname=shop"), 400, "reports.bad_query")


# -- the lifecycle on the mock clock ---------------------------------------------------------------------------

def test_a_task_goes_from_0_to_50_to_100_percent_as_the_clock_moves(slow_app):
    client, clock = slow_app.test_client(), state_of(slow_app).clock
    assert _create(client).status_code == 200
    task = _task(client)
    total = task["totalCount"]
    assert total >= 4 and (task["status"], task["writeCount"], task["fileUrl"]) == ("CREATED", 0, None)
    clock.apply(advance=5)
    assert (_task(client)["status"], _task(client)["writeCount"]) == ("STARTED", 0)
    clock.apply(advance=total / 2 / 2)
    assert (_task(client)["status"], _task(client)["writeCount"]) == ("STARTED", total // 2)
    clock.apply(advance=total / 2 / 2 + 1)
    done = _task(client)
    assert (done["status"], done["writeCount"]) == ("COMPLETED", total)
    assert done["fileUrl"].endswith(f"/tasks/{done['taskId']}/file") and done["fileName"].endswith(".xlsx")


def test_delete_of_a_running_task_stops_it_and_a_second_delete_removes_it(slow_app):
    client, clock = slow_app.test_client(), state_of(slow_app).clock
    answer = _create(client).get_json()
    task_id = _task(client)["taskId"]
    clock.apply(advance=6)
    stopped = client.delete(f"{TASKS}/tasks/{task_id}", headers=bearer(ANALYST)).get_json()
    assert (stopped["status"], stopped["writeCount"]) == ("STOPPED", 2)
    clock.apply(advance=3600)
    assert _task(client)["writeCount"] == 2
    assert_envelope(client.get(f"{TASKS}/tasks/{task_id}/file", headers=bearer(ANALYST)), 409,
                    "reports.file_not_ready")
    event = client.get(f"/api/v1/async/events?requestId={answer['requestId']}", headers=bearer(ANALYST))
    assert event.get_json()["response"][0]["error"]["error"] == "reports.stopped"
    assert client.delete(f"{TASKS}/tasks/{task_id}", headers=bearer(ANALYST)).get_json()["status"] == "DELETED"
    assert client.get(TASKS, headers=bearer(ANALYST)).get_json() == {"tasks": []}
    assert_envelope(client.get(f"{TASKS}/tasks/{task_id}", headers=bearer(ANALYST)), 404, "reports.task_not_found")


def test_the_control_api_fails_a_running_task_with_the_platforms_error(slow_app):
    client = slow_app.test_client()
    answer = _create(client).get_json()
    task_id = _task(client)["taskId"]
    failed = client.post(f"/_mock/reports/{task_id}/fail", json={"reason": "disk full"},
                         environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()
    assert failed["task"]["status"] == "FAILED" and failed["error"]["error"] == "reports.generation_failed"
    assert "disk full" in failed["error"]["message"]
    event = client.get(f"/api/v1/async/events?requestId={answer['requestId']}", headers=bearer(ANALYST)).get_json()
    assert event["response"][0]["isOk"] is False and event["response"][0]["error"]["error"] == \
        "reports.generation_failed"
    again = client.post(f"/_mock/reports/{task_id}/fail", json={}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert_envelope(again, 409, "reports.task_finished")


def test_a_report_over_the_row_limit_fails_when_it_would_start(tmp_path):
    config = parse_config(CONFIG_TOML + "\n[reports]\nrow_limit = 1\n", "limit.toml")
    application = create_app(config, data_dir=tmp_path / "d", clock=Clock(T0, frozen=True))
    client = application.test_client()
    try:
        _create(client)
        state_of(application).clock.apply(advance=5)
        assert _task(client)["status"] == "FAILED"
        rows = client.get("/_mock/reports", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()["tasks"]
        assert rows[0]["error"]["error"] == "reports.too_many_rows"
    finally:
        state_of(application).close()


def test_events_answer_at_once_on_a_frozen_clock(slow_app):
    client, clock = slow_app.test_client(), state_of(slow_app).clock
    request_id = _create(client).get_json()["requestId"]
    url = f"/api/v1/async/events?requestId={request_id}&timeout=30"
    assert client.get(url, headers=bearer(ANALYST)).get_json() == {"response": []}
    clock.apply(advance=3600)
    event = client.get(url, headers=bearer(ANALYST)).get_json()["response"][0]
    assert event["isOk"] and event["payload"]["status"] == "COMPLETED" and event["requestId"] == request_id
    assert_envelope(client.get("/api/v1/async/events?requestId=nope", headers=bearer(ANALYST)), 404,
                    "reports.unknown_request")
    assert_envelope(client.get(f"{url[:-2]}99", headers=bearer(ANALYST)), 400, "reports.bad_query")


def test_delete_completed_and_delete_all(slow_app):
    client, clock = slow_app.test_client(), state_of(slow_app).clock
    _create(client)
    clock.apply(advance=3600)
    _create(client)
    assert [task["status"] for task in client.get(TASKS, headers=bearer(ANALYST)).get_json()["tasks"]] == [
        "COMPLETED", "CREATED"]
    assert client.delete(TASKS, headers=bearer(ANALYST)).status_code == 204
    assert [task["status"] for task in client.get(TASKS, headers=bearer(ANALYST)).get_json()["tasks"]] == ["CREATED"]
    assert client.delete(f"{TASKS}/all", headers=bearer(ANALYST)).status_code == 204
    assert client.get(TASKS, headers=bearer(ANALYST)).get_json() == {"tasks": []}


def test_a_finished_task_and_its_file_expire_after_the_retention(slow_app):
    client, clock = slow_app.test_client(), state_of(slow_app).clock
    _create(client)
    clock.apply(advance=3600)
    task = _task(client)
    assert client.get(f"{TASKS}/tasks/{task['taskId']}/file", headers=bearer(ANALYST)).status_code == 200
    clock.apply(advance=86400)
    assert client.get(TASKS, headers=bearer(ANALYST)).get_json() == {"tasks": []}
    assert_envelope(client.get(f"{TASKS}/tasks/{task['taskId']}/file", headers=bearer(ANALYST)), 404,
                    "reports.file_expired")


# -- files -----------------------------------------------------------------------------------------------------

def _completed(client, clock, **options):
    assert _create(client, **options).status_code == 200
    clock.apply(advance=3600)
    return _task(client, options.get("login", ANALYST))


def test_the_download_supports_head_etag_and_range(client, clock):
    task = _completed(client, clock)
    url = f"{TASKS}/tasks/{task['taskId']}/file"
    full = client.get(url, headers=bearer(ANALYST))
    assert full.status_code == 200 and full.data[:2] == b"PK"
    assert full.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert task["fileName"] in full.headers["Content-Disposition"] and "X-Rawlogs-Version" not in full.headers
    head = client.head(url, headers=bearer(ANALYST))
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == full.headers["ETag"]
    assert client.get(url, headers={**bearer(ANALYST), "If-None-Match": full.headers["ETag"]}).status_code == 304
    part = client.get(url, headers={**bearer(ANALYST), "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == full.data[10:20]
    assert_envelope(client.get(url), 401, "reports.unauthorized")


def test_the_file_holds_the_expected_rows_in_the_users_zone(app, client, clock):
    task = _completed(client, clock, kind="sessions")
    data = client.get(f"{TASKS}/tasks/{task['taskId']}/file", headers=bearer(ANALYST)).data
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    expected = JaicpMock.of_app(app, "http://localhost").expected_report(task["taskId"])
    assert list(rows[0]) == expected["columns"] and len(rows) - 1 == len(expected["rows"]) == task["totalCount"]
    start = expected["columns"].index("Session start")
    assert all(row[start].endswith("+03:00") for row in expected["rows"])  # the analyst's profile: Europe/Moscow
    assert [row[start].replace(microsecond=0).isoformat() for row in rows[1:]] == [
        row[start][:19] for row in expected["rows"]]


def test_the_timezone_header_overrides_the_profile_for_one_request(app, client, clock):
    task = _completed(client, clock, kind="sessions", headers={"Timezone": "-05:00"})
    expected = JaicpMock.of_app(app, "http://localhost").expected_report(task["taskId"])
    start = expected["columns"].index("Session start")
    assert expected["rows"] and all(row[start].endswith("-05:00") for row in expected["rows"])


def test_a_sessions_report_lists_exactly_the_sessions_of_the_raw_log_day(app, client, clock):
    period = {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-03T00:00:00Z",
              "to": "2026-03-04T00:00:00Z"}
    records = read_records(state_of(app).expected_bytes(ACCOUNT, YESTERDAY))
    task = _completed(client, clock, kind="sessions", filters=[period], settings={"fileType": "CSV"})
    expected = JaicpMock.of_app(app, "http://localhost").expected_report(task["taskId"])
    ids = expected["columns"].index("Session ID")
    started = {record.session_id for record in records if record.session_start_time.date() == YESTERDAY}
    assert {row[ids] for row in expected["rows"]} == started and started


def test_cleaned_days_read_message_has_been_deleted(app, client, clock):
    handle = JaicpMock.of_app(app, "http://localhost")
    handle.set_cleanup_days(1)
    clock.apply(advance=86400)  # the cleanup run of 05-03 00:01 removes every day before 04-03
    task = _completed(client, clock, kind="messages")
    expected = handle.expected_report(task["taskId"])
    question = expected["columns"].index("Question")
    texts = {row[question] for row in expected["rows"]} - {""}
    assert texts == {"Message has been deleted"}


def test_a_project_short_name_keeps_that_projects_rows(app, client, clock):
    task = _completed(client, clock, query="?projectShortName=shop")
    assert task["projectShortName"] == "shop"
    expected = JaicpMock.of_app(app, "http://localhost").expected_report(task["taskId"])
    assert expected["rows"] and {row[0] for row in expected["rows"]} == {"shop"}


# -- shared state ----------------------------------------------------------------------------------------------

def test_tasks_survive_a_restart_and_are_shared_by_two_apps_on_one_data_dir(config, tmp_path):
    first = create_app(config, data_dir=tmp_path / "shared", clock=Clock(T0, frozen=True))
    second = create_app(config, data_dir=tmp_path / "shared")
    try:
        _create(first.test_client())
        task = _task(second.test_client())
        assert task["status"] == "CREATED"
        state_of(second).clock.apply(advance=3600)
        assert second.test_client().get(f"{TASKS}/tasks/{task['taskId']}/file",
                                        headers=bearer(ANALYST)).status_code == 200
    finally:
        state_of(first).close()
        state_of(second).close()
    again = create_app(config, data_dir=tmp_path / "shared")
    try:
        assert _task(again.test_client())["status"] == "COMPLETED"
    finally:
        state_of(again).close()


def test_a_reset_forgets_every_task(client, state):
    _create(client)
    state.reset()
    assert client.get(TASKS, headers=bearer(ANALYST)).get_json() == {"tasks": []}


# -- the testing kit -------------------------------------------------------------------------------------------

def test_the_handle_creates_finishes_fails_and_clears_reports(app):
    handle = JaicpMock.of_app(app, "http://localhost")
    created = handle.create_report("sessions", token="analyst-token-1", filters=[DAY], timezone="UTC")
    assert created["task"]["status"] == "CREATED" and created["error"] is None
    finished = handle.finish_report(created["task"]["taskId"])
    assert finished["task"]["status"] == "COMPLETED"
    assert len(handle.expected_report(created["task"]["taskId"])["rows"]) == finished["task"]["totalCount"]
    running = handle.create_report("daily", token="analyst-token-1", day=YESTERDAY)
    assert handle.fail_report(running["task"]["taskId"])["task"]["status"] == "FAILED"
    with pytest.raises(ReportRequestError) as refused:
        handle.create_report("sessions", token="viewer-token-1")
    assert refused.value.status == 403
    handle.clear_reports()
    assert handle.report_tasks() == []


def test_a_daily_report_is_the_whole_raw_log_file(app):
    handle = JaicpMock.of_app(app, "http://localhost")
    task = handle.create_report("daily", token="admin-token-1", day=YESTERDAY)
    rows = handle.expected_report(task["task"]["taskId"])["rows"]
    assert len(rows) == len(read_records(handle.expected_bytes(YESTERDAY)))
    for day in (T0.date() + timedelta(days=1), "9999-12-31", "0001-01-01"):
        with pytest.raises(ReportRequestError) as refused:
            handle.create_report("daily", token="admin-token-1", day=day)
        assert refused.value.envelope["error"] == "reports.bad_period"


def test_the_remote_backend_has_the_same_report_helpers(app, live):
    from mock_server.testing import RemoteBackend

    handle = JaicpMock(RemoteBackend(live.url), live.url)
    created = handle.create_report("clients", token="analyst-token-1", filters=[DAY], settings={"fileType": "CSV"})
    finished = handle.finish_report(created["task"]["taskId"])
    assert finished["task"]["status"] == "COMPLETED"
    local = JaicpMock.of_app(app, live.url)
    assert handle.expected_report(created["task"]["taskId"]) == local.expected_report(created["task"]["taskId"])
    running = handle.create_report("sessions", token="analyst-token-1")
    assert handle.fail_report(running["task"]["taskId"], "reports.too_many_rows")["error"]["error"] == \
        "reports.too_many_rows"
    handle.clear_reports()
    assert handle.report_tasks() == []
