"""The platform's pages through Flask's test client: the rules at their edges (filters, CSRF, users, accounts)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from mock_server.reports.content import summarize_sessions
from mock_server.reports.models import ReportType
from tests.mock_server.test_web import csrf_of, log_in
from tests.support import ANALYST, PASSWORDS, bearer

DIALOGS = "/ui/analytics/dialogs"
PERIOD = "start=2026-02-25T00:00&end=2026-03-04T09:00"
"""A week the test configuration has sessions in (its clock stands at 2026-03-04 09:00 UTC)."""


def total_of(page_text: str) -> int:
    match = re.search(r"of (\d+)", page_text)
    assert match, "no pager"
    return int(match[1])


def errors_of(page_text: str) -> list[str]:
    return [unescape(text).strip() for text in re.findall(r'class="error"[^>]*>([^<]*)<', page_text)]


@pytest.fixture
def analyst(client):
    assert log_in(client, ANALYST).status_code == 302
    return client


@pytest.mark.parametrize(("query", "message"), [
    ("channel=bogus", "'bogus' is not a valid choice"),
    ("transfer=MAYBE", "Not a valid choice"),
    ("page=0", "Page: Number must be between 1 and 1000000"),
    ("start=yesterday", "Not a valid datetime value"),
    ("start=2026-03-05T00:00&end=2026-03-01T00:00", "empty or reversed"),
    ("start=2030-01-01T00:00", "not in the future"),
    ("client=" + "x" * 201, "Field cannot be longer than 200 characters"),
])
def test_a_bad_filter_re_renders_the_page_with_the_reason(analyst, query, message):
    response = analyst.get(f"{DIALOGS}?{query}")
    assert response.status_code == 400
    assert any(message in error for error in errors_of(response.text)), errors_of(response.text)
    assert 'id="sessions"' not in response.text


def test_the_list_is_what_the_reporter_api_would_export(analyst, client, state):
    page = analyst.get(f"{DIALOGS}?{PERIOD}&channel=telegram")
    assert page.status_code == 200
    body = {"filters": [{"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-02-25T00:00:00",
                         "to": "2026-03-04T09:00:00"},
                        {"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": ["telegram"]}],
            "settings": {"fileType": "CSV"}}
    created = client.post("/api/v1/async/reporter/reports/sessions", json=body, headers=bearer(ANALYST))
    assert created.status_code == 200
    task = client.get("/api/v1/reporter/reports", headers=bearer(ANALYST)).get_json()["tasks"][0]
    assert total_of(page.text) == task["totalCount"] > 0


def test_times_show_in_the_users_zone_and_a_page_holds_at_most_fifty(analyst, state):
    page = analyst.get(f"{DIALOGS}?start=2026-02-01T00:00&end=2026-03-04T09:00")
    body = {"filters": [{"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-02-01T00:00:00",
                         "to": "2026-03-04T09:00:00"}], "settings": {"fileType": "XLSX"}}
    moscow = ZoneInfo("Europe/Moscow")  # the analyst's profile zone
    query = state.reports.query_for(state.user(ANALYST), state.snapshot(), state.now(), ReportType.SESSIONS, body,
                                    moscow)
    sessions = summarize_sessions(query)
    assert len(sessions) > 50
    assert f">{sessions[0].start.astimezone(moscow):%Y-%m-%d %H:%M:%S}</a>" in page.text
    assert page.text.count("data-session-id=") == 50
    assert total_of(page.text) == len(sessions)


def test_an_export_without_its_csrf_token_is_refused_and_makes_no_task(analyst, state):
    response = analyst.post(f"{DIALOGS}/export", data={"start": "2026-02-25T00:00", "file_type": "XLSX"})
    assert (response.status_code, response.get_json()["error"]) == (400, "web.csrf_failed")
    assert state.reports.tasks(None, state.now()) == []


def test_an_export_with_a_bad_filter_goes_back_with_the_reason(analyst, state):
    token = csrf_of(analyst.get(f"{DIALOGS}?{PERIOD}").text)
    response = analyst.post(f"{DIALOGS}/export", data={"csrf_token": token, "channel": "bogus", "file_type": "XLSX"})
    assert response.status_code == 302 and response.headers["Location"].startswith(DIALOGS)
    assert "is not a valid choice" in analyst.get(response.headers["Location"]).text
    assert state.reports.tasks(None, state.now()) == []


def _export(client, kind: str = "dialogs") -> str:
    token = csrf_of(client.get(f"/ui/analytics/{kind}?{PERIOD}").text)
    response = client.post(f"/ui/analytics/{kind}/export", data={"csrf_token": token, "start": "2026-02-25T00:00",
                                                                 "end": "2026-03-04T09:00", "file_type": "XLSX"})
    assert response.status_code == 302, response.text
    match = re.search(r"created=([0-9a-f-]+)", response.headers["Location"])
    assert match
    return match[1]


def test_the_polled_progress_moves_with_the_clock(analyst, state, clock):
    task_id = _export(analyst)
    rows = analyst.get("/ui/tasks/status.json").get_json()["tasks"]
    assert [(row["taskId"], row["status"], row["writeCount"]) for row in rows] == [(task_id, "CREATED", 0)]
    clock.advance(timedelta(days=1))
    row = analyst.get("/ui/tasks/status.json").get_json()["tasks"][0]
    assert row["status"] == "COMPLETED" and row["writeCount"] == row["totalCount"]
    assert row["fileUrl"] == f"/ui/tasks/{task_id}/file"
    download = analyst.get(row["fileUrl"])
    assert download.status_code == 200 and download.data[:2] == b"PK"


def test_cancel_stops_a_running_export_and_leaves_a_finished_one(analyst, state, clock):
    task_id = _export(analyst)
    token = csrf_of(analyst.get("/ui/tasks").text)
    assert analyst.post(f"/ui/tasks/{task_id}/cancel").status_code == 400  # no CSRF token
    assert analyst.post(f"/ui/tasks/{task_id}/cancel", data={"csrf_token": token}).status_code == 302
    assert analyst.get("/ui/tasks/status.json").get_json()["tasks"][0]["status"] == "STOPPED"
    finished = _export(analyst)
    clock.advance(timedelta(days=1))
    response = analyst.post(f"/ui/tasks/{finished}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "already finished (COMPLETED)" in response.text
    statuses = {row["taskId"]: row["status"] for row in analyst.get("/ui/tasks/status.json").get_json()["tasks"]}
    assert statuses[finished] == "COMPLETED"


def test_another_accounts_task_is_unknown(analyst, client, app, state):
    task_id = _export(analyst)
    other = app.test_client()
    assert log_in(other, "other").status_code == 302
    token = csrf_of(other.get("/ui/tasks").text)
    assert task_id not in other.get("/ui/tasks").text
    for response in (other.get(f"/ui/tasks/{task_id}/file"),
                     other.post(f"/ui/tasks/{task_id}/cancel", data={"csrf_token": token})):
        assert (response.status_code, response.get_json()["error"]) == (404, "reports.task_not_found")
    assert analyst.get("/ui/tasks/status.json").get_json()["tasks"][0]["status"] == "CREATED"


def test_a_file_before_completion_answers_the_envelope(analyst):
    task_id = _export(analyst)
    response = analyst.get(f"/ui/tasks/{task_id}/file")
    assert (response.status_code, response.get_json()["error"]) == (409, "reports.file_not_ready")


def test_a_user_without_the_analytics_permission_is_refused_at_login(client):
    response = log_in(client, "viewer")
    assert response.status_code == 403
    assert "lacks the analytics permission" in unescape(response.text)
    assert client.get(DIALOGS).status_code == 302  # not logged in


def test_losing_the_permission_or_the_password_ends_access(analyst, state):
    state.put_user(ANALYST, PASSWORDS[ANALYST], state.user(ANALYST).account_id, roles=())
    refused = analyst.get(DIALOGS)
    assert refused.status_code == 403 and "lacks the analytics permission" in unescape(refused.text)
    polled = analyst.get("/ui/tasks/status.json")
    assert (polled.status_code, polled.get_json()["error"]) == (403, "web.missing_role")
    state.put_user(ANALYST, "a-new-password", state.user(ANALYST).account_id, roles=("RAWLOGS_ANALYTIC",))
    assert analyst.get(DIALOGS).status_code == 302
    polled = analyst.get("/ui/tasks/status.json")
    assert (polled.status_code, polled.get_json()["error"]) == (401, "web.login_required")


@pytest.mark.parametrize(("target", "landing"), [
    ("/ui/tasks", "/ui/tasks"), ("//evil.example/ui/tasks", DIALOGS), ("https://evil.example/", DIALOGS),
    ("/ui/..\\evil", DIALOGS), ("/restapi/rawlogs/03-03-2026.csv", DIALOGS)])
def test_after_login_only_a_page_of_the_ui_is_a_destination(client, target, landing):
    token = csrf_of(client.get("/ui/login").text)
    response = client.post("/ui/login", query_string={"next": target},
                           data={"login": ANALYST, "password": PASSWORDS[ANALYST], "csrf_token": token})
    assert response.headers["Location"] == landing
