"""The dashboard through Flask's test client: what each page shows, the forms with their CSRF token and their
refusals, the access rule (loopback or the control token), and hostile text rendered inert."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from generators.strategies import adversarial_text
from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.testing import JaicpMock
from tests.support import ACCOUNT, ANALYST, T0, YESTERDAY, assert_envelope, basic, bearer

HOME = "/_mock/dashboard/"
CALENDAR = f"/_mock/dashboard/accounts/{ACCOUNT}"
REMOTE = {"REMOTE_ADDR": "10.1.2.3"}
HTML_SNIPPETS = ("<script>alert(1)</script>", "</td><img src=x onerror=alert(1)>", "&amp;", "\"'><b>x")


def token_of(client, path: str = HOME) -> str:
    """The CSRF token a page carries (the layout's meta tag)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page)[1]


def post(client, action: str, /, back: str = HOME, **fields: str):
    """Submit a dashboard form as the browser would, and follow it back to its page."""
    data = {"csrf_token": token_of(client, back), "back": back, **fields}
    return client.post(action, data=data, follow_redirects=True)


def statuses(page: str) -> dict[str, str]:
    """Each calendar cell's day (ISO) and status."""
    return dict(re.findall(r'data-day="([0-9-]+)" data-status="([a-z_]+)"', page))


# -- what the pages show -----------------------------------------------------------------------------------------

def test_mock_root_sends_a_browser_to_the_dashboard(client):
    response = client.get("/_mock/")
    assert (response.status_code, response.headers["Location"]) == (302, HOME)


def test_home_shows_accounts_with_plan_enablement_retention_and_users(client, state):
    state.update_project(ACCOUNT, "shop", cleanup_days=9)
    response = client.get(HOME)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "text/html" in response.content_type
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    account = page[page.index(f'id="account-{ACCOUNT}"'):page.index('id="account-7654321"')]
    assert "on from 2026-01-10 12:00:00 UTC" in account
    assert "applied to the whole account: 9 day(s)" in account
    assert re.search(r"<td>shop</td><td>retail</td><td>vk</td>\s*<td>9</td>", account)
    assert re.search(r"<td>admin</td><td>RAWLOGS_ANALYTIC</td><td>yes</td><td>UTC</td>", account)
    assert f"<td>{ANALYST}</td>" in account and "Europe/Moscow" in account
    other = page[page.index('id="account-7654321"'):]
    assert "JAICP Pro" in other and ">off<" in other


def test_the_calendar_shows_each_status_the_rules_give(client, state):
    state.update_account(ACCOUNT, cleanup_days=40)  # the run of 2026-03-05 00:01 removes the days before 01-24
    state.clock.set(T0 + timedelta(days=1))
    cells = statuses(client.get(f"{CALENDAR}?from=2026-01&to=2026-03").get_data(as_text=True))
    assert len(cells) == 31 + 28 + 31
    assert (cells["2026-01-09"], cells["2026-01-10"]) == ("before_enablement", "cleaned")  # it never had a file
    assert (cells["2026-01-23"], cells["2026-01-24"]) == ("cleaned", "available")
    assert (cells["2026-03-04"], cells["2026-03-05"]) == ("available", "not_generated_yet")


def test_the_calendar_defaults_to_the_months_of_the_last_30_days(client):
    page = client.get(CALENDAR).get_data(as_text=True)
    assert "February 2026" in page and "March 2026" in page and "January 2026" not in page


@pytest.mark.parametrize(("query", "param"), [("from=2026-13", "from"), ("to=march", "to"), ("from=2024-01", "from"),
                                              ("from=2026-03&to=2026-01", "from")])
def test_a_bad_calendar_range_answers_the_envelope_naming_the_parameter(client, query, param):
    body = assert_envelope(client.get(f"{CALENDAR}?{query}"), 400, "mock.bad_query")
    assert body["args"]["param"] == param


def test_an_unknown_account_or_day_answers_the_envelope(client):
    assert_envelope(client.get("/_mock/dashboard/accounts/999"), 404, "mock.unknown_account")
    assert_envelope(client.get(f"{CALENDAR}/days/31-02-2026"), 400, "mock.bad_query")
    assert_envelope(client.get(f"{CALENDAR}/days/03-03-2026?version=2"), 400, "mock.bad_query")
    assert_envelope(client.get("/_mock/dashboard/live/nothing"), 404, "mock.not_found")


def test_the_day_view_charts_every_row_of_the_served_version(client, state):
    records = state.expected_bytes(ACCOUNT, YESTERDAY).decode().count("\n") - 1
    page = client.get(f"{CALENDAR}/days/03-03-2026").get_data(as_text=True)
    assert f"Version 1: {records} message(s)" in page
    assert page.count("<svg") == 2 and 'aria-label="Messages by hour (UTC)"' in page
    hours = [int(count) for count in re.findall(r"<title>\d\d:00: (\d+)</title>", page)]
    assert len(hours) == 24 and sum(hours) == records
    assert f"/_mock/accounts/{ACCOUNT}/expected/03-03-2026.csv?version=1" in page


def test_the_day_view_of_a_day_without_a_file(client):
    page = client.get(f"{CALENDAR}/days/09-01-2026").get_data(as_text=True)
    assert "before enablement" in page and "No version: the day has no file." in page and "<svg" not in page


# -- forms -------------------------------------------------------------------------------------------------------

def test_a_forced_regeneration_is_pending_then_lands_at_ready_at(client, state):
    page = post(client, f"{CALENDAR}/days/03-03-2026/regenerate", back=CALENDAR).get_data(as_text=True)
    assert "Version 2 of 03-03-2026 lands at 2026-03-04 09:10:00 UTC." in page
    assert statuses(page)["2026-03-03"] == "pending_regeneration"
    assert 'data-ready-at="2026-03-04T09:10:00Z">10:00<' in page  # the countdown, as the server counts it
    state.clock.advance(599)
    assert statuses(client.get(CALENDAR).get_data(as_text=True))["2026-03-03"] == "pending_regeneration"
    page = post(client, "/_mock/dashboard/clock", back=CALENDAR, action="advance", seconds="60").get_data(as_text=True)
    assert "The clock now reads 2026-03-04 09:10:59 UTC." in page
    assert statuses(page)["2026-03-03"] == "available"
    assert "version 2 is served" in client.get(f"{CALENDAR}/days/03-03-2026").get_data(as_text=True)


def test_a_refused_regeneration_shows_the_rules_message(client, state):
    page = post(client, f"{CALENDAR}/days/04-03-2026/regenerate", back=CALENDAR).get_data(as_text=True)
    assert "04-03-2026 cannot be generated on demand yet: its file is first written at 2026-03-05T00:01:00Z." in page
    assert 'class="flash problem"' in page
    assert state.snapshot().regenerations == {}


def test_the_clock_forms(client, state):
    post(client, "/_mock/dashboard/clock", action="set", now="2026-05-01T10:20:30", frozen="on")
    assert (state.now().isoformat(), state.clock.frozen) == ("2026-05-01T10:20:30+00:00", True)
    post(client, "/_mock/dashboard/clock", action="unfreeze")
    assert not state.clock.frozen and state.now() >= T0.replace(month=5, day=1, hour=10, minute=20, second=30)
    post(client, "/_mock/dashboard/clock", action="set", now="2026-05-01T10:20:30")  # unchecked: ticking from there
    assert not state.clock.frozen
    post(client, "/_mock/dashboard/clock", action="set", now="2026-05-01T10:20:30", frozen="on")
    post(client, "/_mock/dashboard/clock", action="advance", seconds="86400")
    assert state.now().isoformat() == "2026-05-02T10:20:30+00:00"
    post(client, "/_mock/dashboard/clock", action="real")
    assert state.clock.settings.is_real


@pytest.mark.parametrize(("fields", "message"), [
    ({"action": "set", "now": "yesterday"}, "now: expected an ISO-8601 date-time"),
    ({"action": "set", "now": "9999-12-31T23:00:00"}, "now: the mock clock stays between the years 1900 and 9998"),
    ({"action": "advance", "seconds": "5"}, "seconds: one of 60, 600, 86400, got 5"),
    ({"action": "rewind"}, "action: one of set, advance, freeze, unfreeze, real"),
])
def test_bad_clock_values_get_a_clear_message_and_change_nothing(client, state, fields, message):
    before = state.clock.settings
    response = post(client, "/_mock/dashboard/clock", **fields)
    assert response.status_code == 200 and message in unescape(response.get_data(as_text=True))
    assert state.clock.settings == before


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client, state):
    client.get(HOME)
    response = client.post("/_mock/dashboard/clock", data={"action": "advance", "seconds": "60", "back": HOME})
    assert_envelope(response, 400, "web.csrf_failed")
    response = client.post("/_mock/dashboard/clock", data={"action": "advance", "seconds": "60",
                                                            "csrf_token": "forged", "back": HOME})
    assert_envelope(response, 400, "web.csrf_failed")
    assert state.now() == T0


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/ui/login", "/_mock/dashboard/\\x"])
def test_a_form_sends_the_browser_back_to_a_dashboard_page_only(client, back):
    token = token_of(client)
    response = client.post("/_mock/dashboard/clock", data={"csrf_token": token, "back": back, "action": "freeze"})
    assert (response.status_code, response.headers["Location"]) == (303, HOME)


def test_faults_are_added_listed_and_removed(client, state):
    page = post(client, "/_mock/dashboard/faults", back="/_mock/dashboard/faults", kind="status", status="503",
                times="2", path="/restapi/rawlogs/03-03-2026.csv", retry_after="30", probability="1",
                delay_ms="5").get_data(as_text=True)  # another kind's parameter is ignored, as the form shows all
    (fault,) = state.faults()
    assert (fault.status, fault.times, fault.retry_after, fault.params) == (503, 2, 30, {})
    assert f"Fault {fault.id} added" in page and f'data-fault="{fault.id}"' in page
    post(client, "/_mock/dashboard/faults", back="/_mock/dashboard/faults", kind="delay", status="503", times="1",
         delay_ms="250", distribution="uniform", max_delay_ms="900")
    delay = state.faults()[-1]
    assert (delay.kind, delay.status, delay.params) == ("delay", None, {"delay_ms": 250, "distribution": "uniform",
                                                                         "max_delay_ms": 900})
    page = post(client, f"/_mock/dashboard/faults/{fault.id}/remove", back="/_mock/dashboard/faults"
                ).get_data(as_text=True)
    assert f"Fault {fault.id} removed." in page and [item.id for item in state.faults()] == [delay.id]
    page = post(client, f"/_mock/dashboard/faults/{fault.id}/remove", back="/_mock/dashboard/faults"
                ).get_data(as_text=True)
    assert f"There is no active fault &#39;{fault.id}&#39;" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"times": "lots"}, "times: a number, got lots"),
    ({"times": "0"}, "times: a whole number of requests from 1 to 1,000,000"),
    ({"status": "418"}, "status: required, one of 429, 500, 502, 503, 504"),
    ({"path": "/_mock/clock"}, "faults apply to the platform&#39;s endpoints"),
    ({"kind": "explode"}, "kind: one of status, delay"),
    ({"kind": "reset", "after_bytes": "-1"}, "afterBytes: a whole number from 0 to 65,536"),
])
def test_a_bad_fault_gets_a_message_naming_its_field(client, state, fields, message):
    form = {"kind": "status", "status": "503", "times": "1", **fields}
    page = post(client, "/_mock/dashboard/faults", back="/_mock/dashboard/faults", **form).get_data(as_text=True)
    assert message in page and state.faults() == ()


def test_report_tasks_are_listed_failed_and_cleared(app, client, state):
    mock = JaicpMock.of_app(app, "http://localhost")
    task = mock.create_report("sessions", token="analyst-token-1", filters=[
        {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-03T00:00:00Z",
         "to": "2026-03-04T00:00:00Z"}])["task"]
    page = client.get("/_mock/dashboard/reports").get_data(as_text=True)
    assert f'data-task="{task["taskId"]}" data-status="CREATED"' in page and "Fail it" in page
    page = post(client, f"/_mock/dashboard/reports/{task['taskId']}/fail", back="/_mock/dashboard/reports"
                ).get_data(as_text=True)
    assert f'data-task="{task["taskId"]}" data-status="FAILED"' in page
    assert "The report could not be generated: injected from the mock&#39;s dashboard" in page
    page = post(client, f"/_mock/dashboard/reports/{task['taskId']}/fail", back="/_mock/dashboard/reports"
                ).get_data(as_text=True)
    assert f"Task {task['taskId']} is already FAILED" in page
    page = post(client, "/_mock/dashboard/reports/clear", back="/_mock/dashboard/reports").get_data(as_text=True)
    assert "1 report task(s) cleared." in page and "No report task." in page


def test_the_journal_shows_requests_with_credentials_redacted(client):
    client.get("/restapi/rawlogs/03-03-2026.csv", headers=basic(ANALYST))
    client.get("/api/v1/reporter/reports", headers=bearer(ANALYST))
    client.get(HOME)  # the dashboard itself is not journaled
    part = client.get("/_mock/dashboard/live/journal").get_json()
    html = part["html"]
    assert part["now"] == "2026-03-04T09:00:00Z" and part["frozen"] is True
    assert html.count("<tr class=") == 2 and 'data-total="2"' in html
    assert "GET /restapi/rawlogs/03-03-2026.csv" in html and f"<td>{ANALYST}</td>" in html
    assert "Authorization: Basic [redacted]" in html and "Authorization: Bearer [redacted]" in html
    assert "analyst-pw" not in html and "analyst-token-1" not in html
    assert html.index("/api/v1/reporter/reports") < html.index("/restapi/rawlogs")  # newest first


# -- access ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [("GET", HOME), ("GET", "/_mock/"), ("GET", CALENDAR),
                                              ("GET", "/_mock/dashboard/live/clock"),
                                              ("POST", "/_mock/dashboard/clock")])
def test_a_client_off_loopback_is_refused_without_a_token(client, method, path):
    assert_envelope(client.open(path, method=method, environ_base=REMOTE), 403, "mock.not_loopback")


@pytest.fixture
def token_app(config, tmp_path):
    application = create_app(config, data_dir=tmp_path / "data", clock=Clock(T0, frozen=True),
                             control_token="s3cret-control-token")
    yield application
    state_of(application).close()


def test_with_a_control_token_a_browser_presents_it_once(token_app):
    client = token_app.test_client()
    locked = client.get(CALENDAR, environ_base=REMOTE)
    assert locked.status_code == 401 and 'name="token"' in locked.get_data(as_text=True)
    assert_envelope(client.get("/_mock/dashboard/live/clock", environ_base=REMOTE), 401, "mock.bad_token")
    token = token_of(client, "/_mock/dashboard/unlock")
    wrong = client.post("/_mock/dashboard/unlock", data={"csrf_token": token, "token": "guess"}, environ_base=REMOTE)
    assert wrong.status_code == 401 and "not the server&#39;s control token" in wrong.get_data(as_text=True)
    right = client.post("/_mock/dashboard/unlock", data={"csrf_token": token, "token": "s3cret-control-token"},
                        environ_base=REMOTE)
    assert (right.status_code, right.headers["Location"]) == (303, HOME)
    assert client.get(CALENDAR, environ_base=REMOTE).status_code == 200
    cookie = right.headers["Set-Cookie"]
    assert "s3cret" not in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert_envelope(client.get("/_mock/clock", environ_base=REMOTE), 401, "mock.bad_token")  # the API wants bearer
    other = token_app.test_client()
    assert other.get(HOME, headers={"Authorization": "Bearer s3cret-control-token"}, environ_base=REMOTE
                     ).status_code == 200
    assert other.get(HOME).status_code == 401  # with a token, loopback alone is not enough, as for the API
    token = token_of(other, "/_mock/dashboard/unlock")
    refused = other.post("/_mock/dashboard/clock", data={"csrf_token": token, "action": "advance", "seconds": "60",
                                                          "back": HOME})
    assert_envelope(refused, 401, "mock.bad_token")
    assert state_of(token_app).now() == T0


# -- hostile text ------------------------------------------------------------------------------------------------

class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


JOURNAL_TAGS = {"table", "caption", "thead", "tbody", "tr", "th", "td", "code", "div"}


def test_hostile_text_in_a_request_renders_inert(client):
    reached = []

    @settings(max_examples=60)
    @given(st.lists(st.one_of(adversarial_text(80), st.sampled_from(HTML_SNIPPETS)), min_size=1, max_size=3)
           .map("".join).filter(lambda text: text.strip("/")))
    def check(text):
        client.delete("/_mock/requests")
        client.get("/restapi/rawlogs/" + quote(text, safe=""), headers={"User-Agent": "<b>agent</b>"})
        html = client.get("/_mock/dashboard/live/journal").get_json()["html"]
        parsed = Tags()
        parsed.feed(html)
        assert parsed.tags <= JOURNAL_TAGS and not parsed.handlers
        (path,) = client.get("/_mock/requests").get_json()["requests"]
        assert path["path"] in "".join(parsed.text) and "User-Agent: <b>agent</b>" in "".join(parsed.text)
        if "<" in text:
            event("markup in the path")
            reached.append(text)

    check()
    assert reached, "no example put markup in a path: the test did not reach its case"
