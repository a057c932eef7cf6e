"""The control API under /_mock/: health, reset, clock, accounts, projects, users, files, journal, OpenAPI, access."""

from __future__ import annotations

import json
import re
import time
from datetime import date

import pytest

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.urls import is_dashboard_path, is_ui_path
from tests.support import ACCOUNT, ANALYST, T0, YESTERDAY, assert_envelope, basic, run_url, url

REMOTE = {"REMOTE_ADDR": "10.1.2.3"}
RENAMED = {"account_id": "accountId", "day_text": "date", "fault_id": "faultId", "task_id": "taskId"}
"""Flask's path parameter names -> the OpenAPI document's."""


def test_health(client):
    body = client.get("/_mock/health").get_json()
    assert body["status"] == "ok"
    assert body["now"] == "2026-03-04T09:00:00Z"
    assert body["accounts"] == [1234567, 7654321, 5550001]


def test_clock_get_set_advance_freeze(client):
    assert client.get("/_mock/clock").get_json() == {"now": "2026-03-04T09:00:00Z", "frozen": True, "real": False}
    assert client.post("/_mock/clock", json={"now": "2026-03-05T00:00:59Z"}).get_json()["now"] == \
        "2026-03-05T00:00:59Z"
    assert client.post("/_mock/clock", json={"advanceSeconds": 1}).get_json()["now"] == "2026-03-05T00:01:00Z"
    assert client.post("/_mock/clock", json={"now": "2026-03-06", "advanceSeconds": 60.5}).get_json()["now"] == \
        "2026-03-06T00:01:00.500000Z"
    unfrozen = client.post("/_mock/clock", json={"frozen": False}).get_json()
    assert unfrozen["frozen"] is False and unfrozen["real"] is False
    real = client.post("/_mock/clock", json={"now": None}).get_json()
    assert real["real"] is True and real["now"] > "2026-11"


@pytest.mark.parametrize(("body", "code"), [
    ({"now": "yesterday"}, "mock.bad_field"),
    ({"now": 12}, "mock.bad_field"),
    ({"advanceSeconds": "600"}, "mock.bad_field"),
    ({"advanceSeconds": True}, "mock.bad_field"),
    ({"advanceSeconds": float("inf")}, "mock.bad_json"),  # not JSON at all
    ({"frozen": "yes"}, "mock.bad_field"),
    ({"when": "2026-01-01"}, "mock.unknown_field"),
    ({}, "mock.bad_field"),
    ([1, 2], "mock.bad_json"),
    ({"now": "0001-01-01T00:00:00Z"}, "mock.bad_field"),
    ({"now": "9999-12-31T00:00:00Z"}, "mock.bad_field"),
    ({"now": "9998-12-31T00:00:00Z", "advanceSeconds": 2 * 86400}, "mock.bad_field"),
])
def test_clock_rejects_bad_input(client, body, code):
    if body == {"advanceSeconds": float("inf")}:
        response = client.post("/_mock/clock", data='{"advanceSeconds": Infinity', content_type="application/json")
    else:
        response = client.post("/_mock/clock", json=body)
    assert_envelope(response, 400, code)
    assert client.get("/_mock/clock").get_json()["now"] == "2026-03-04T09:00:00Z"


def test_a_body_that_is_not_json_is_400(client):
    assert_envelope(client.post("/_mock/clock", data="now=1", content_type="text/plain"), 400, "mock.bad_json")
    assert_envelope(client.post("/_mock/clock", data=b"\xff\xfe", content_type="application/json"), 400,
                    "mock.bad_json")


def test_account_get_and_patch(client, state):
    account = client.get(f"/_mock/accounts/{ACCOUNT}").get_json()
    assert account["enabled"] is True
    assert account["rawlogsEnabledFrom"] == "2026-01-10T12:00:00Z"
    assert [user["login"] for user in account["users"]] == ["admin", ANALYST, "boss", "viewer"]
    assert "password" not in repr(account) and "admin-pw" not in repr(account)

    changed = client.patch(f"/_mock/accounts/{ACCOUNT}", json={"rawlogsEnabledAt": None}).get_json()
    assert changed["enabled"] is False
    assert_envelope(client.get(url(YESTERDAY), headers=basic(ANALYST)), 403, "rawlogs.disabled")

    changed = client.patch(f"/_mock/accounts/{ACCOUNT}", json={"plan": "JAICP Business Pro",
                                                                "planSince": "2026-03-01T00:00:00Z"}).get_json()
    assert changed["enabled"] is True and changed["rawlogsEnabledFrom"] == "2026-03-01T00:00:00Z"
    assert client.get(url(date(2026, 2, 28)), headers=basic(ANALYST)).status_code == 200
    assert_envelope(client.get(url(date(2026, 2, 27)), headers=basic(ANALYST)), 404, "rawlogs.before_enablement")

    changed = client.patch(f"/_mock/accounts/{ACCOUNT}", json={"cleanupDays": 7}).get_json()
    assert changed["retentionDays"] == 7
    assert changed["retentionHistory"] == [{"since": None, "days": None},
                                            {"since": "2026-03-04T09:00:00Z", "days": 7}]


@pytest.mark.parametrize("body", [
    {"cleanupDays": -1}, {"cleanupDays": 1000}, {"cleanupDays": "7"}, {"cleanupDays": True},
    {"rawlogsEnabledAt": "soon"}, {"plan": 5}, {"name": "x"}, "text",
])
def test_account_patch_rejects_bad_input(client, body):
    response = client.patch(f"/_mock/accounts/{ACCOUNT}", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] in ("mock.bad_field", "mock.unknown_field", "mock.bad_json")


def test_unknown_accounts_and_projects_are_404(client):
    for path in ("/_mock/accounts/1", "/_mock/accounts/abc", "/_mock/accounts/١", "/_mock/accounts/1/files"):
        assert_envelope(client.get(path), 404, "mock.unknown_account")
    assert_envelope(client.patch("/_mock/accounts/1", json={}), 404, "mock.unknown_account")
    body = assert_envelope(client.patch(f"/_mock/accounts/{ACCOUNT}/projects/nope", json={"cleanupDays": 1}), 404,
                           "mock.unknown_project")
    assert body["args"]["known"] == "demobot, shop"


def test_project_patch_changes_the_accounts_retention(client):
    body = client.patch(f"/_mock/accounts/{ACCOUNT}/projects/shop", json={"cleanupDays": 3}).get_json()
    assert body["retentionDays"] == 3
    assert [project["cleanupDays"] for project in body["projects"]] == [None, 3]


def test_users_put_and_delete(client):
    created = client.put("/_mock/users/new@example.com", json={"password": "pw", "account": ACCOUNT,
                                                                "roles": ["RAWLOGS_ANALYTIC"]})
    assert created.status_code == 201
    assert created.get_json() == {"login": "new@example.com", "account": ACCOUNT, "roles": ["RAWLOGS_ANALYTIC"],
                                  "admin": False, "token": None, "timezone": "UTC"}
    assert client.get(url(YESTERDAY), headers=basic("new@example.com", "pw")).status_code == 200
    replaced = client.put("/_mock/users/new@example.com", json={"password": "pw2", "account": ACCOUNT})
    assert replaced.status_code == 200
    assert_envelope(client.get(url(YESTERDAY), headers=basic("new@example.com", "pw2")), 403, "rawlogs.missing_role")
    assert_envelope(client.get(url(YESTERDAY), headers=basic("new@example.com", "pw")), 401)
    assert client.delete("/_mock/users/new@example.com").status_code == 204
    assert_envelope(client.get(url(YESTERDAY), headers=basic("new@example.com", "pw2")), 401)
    assert_envelope(client.delete("/_mock/users/new@example.com"), 404, "mock.unknown_user")


@pytest.mark.parametrize("body", [
    {"account": ACCOUNT}, {"password": "pw"}, {"password": "pw", "account": 1},
    {"password": "pw", "account": ACCOUNT, "roles": "RAWLOGS_ANALYTIC"},
    {"password": "pw", "account": ACCOUNT, "admin": "yes"}, {"password": 1, "account": ACCOUNT},
    {"password": "pw", "account": ACCOUNT, "extra": 1},
])
def test_user_put_rejects_bad_input(client, body):
    response = client.put("/_mock/users/someone", json=body)
    assert response.status_code == 400
    assert client.get(url(YESTERDAY), headers=basic("someone", "pw")).status_code == 401


def test_a_login_moved_to_another_account_downloads_that_accounts_file(client, state):
    client.put(f"/_mock/users/{ANALYST}", json={"password": "x", "account": 5550001, "roles": ["RAWLOGS_ANALYTIC"]})
    response = client.get(url(YESTERDAY), headers=basic(ANALYST, "x"))
    assert response.data == state.expected_bytes(5550001, YESTERDAY, 1)


def test_files_lists_each_days_status(client, state):
    state.update_account(ACCOUNT, cleanup_days=40)
    client.post(run_url(YESTERDAY), headers=basic("admin"))
    client.post(run_url(date(2026, 1, 8), force=None), headers=basic("admin"))
    body = client.get(f"/_mock/accounts/{ACCOUNT}/files?from=2026-01-08&to=05-03-2026").get_json()
    statuses = {day["date"]: day for day in body["days"]}
    assert statuses["08-01-2026"]["status"] == "generation_pending"
    assert statuses["08-01-2026"]["readyAt"] == "2026-03-04T09:10:00Z"
    assert statuses["09-01-2026"]["status"] == "before_enablement"
    assert statuses["10-01-2026"]["status"] == "available"
    assert statuses["02-03-2026"]["versions"] == [{"version": 1, "generatedAt": "2026-03-03T00:01:00Z",
                                                   "ready": True, "scheduled": True}]
    assert statuses["03-03-2026"]["status"] == "pending_regeneration"
    assert statuses["03-03-2026"]["servedVersion"] == 1 and statuses["03-03-2026"]["readyAt"]
    assert statuses["04-03-2026"]["status"] == "not_generated_yet"
    state.clock.advance(60 * 60 * 24)  # the 03-05 run keeps 40 days: < 2026-01-24 gone
    statuses = {day["date"]: day["status"] for day in
                client.get(f"/_mock/accounts/{ACCOUNT}/files?from=2026-01-08&to=2026-03-05").get_json()["days"]}
    assert statuses["08-01-2026"] == "cleaned"
    assert statuses["09-01-2026"] == "before_enablement"
    assert statuses["23-01-2026"] == "cleaned"
    assert statuses["24-01-2026"] == "available"
    assert statuses["03-03-2026"] == "available"


def test_files_defaults_to_the_last_30_days_and_checks_the_range(client):
    body = client.get(f"/_mock/accounts/{ACCOUNT}/files").get_json()
    assert len(body["days"]) == 30 and body["to"] == "04-03-2026"
    assert client.get("/_mock/accounts/7654321/files").get_json()["days"][0]["status"] == "disabled"
    for query in ("from=2026-03-05&to=2026-03-01", "from=2020-01-01", "to=tomorrow", "from=31-02-2026"):
        assert_envelope(client.get(f"/_mock/accounts/{ACCOUNT}/files?{query}"), 400, "mock.bad_query")


def test_expected_bytes_endpoint(client, state):
    response = client.get(f"/_mock/accounts/{ACCOUNT}/expected/03-03-2026.csv?version=2")
    assert response.status_code == 200 and response.data == state.expected_bytes(ACCOUNT, YESTERDAY, 2)
    assert_envelope(client.get(f"/_mock/accounts/{ACCOUNT}/expected/31-02-2026.csv"), 400, "mock.bad_field")
    assert_envelope(client.get(f"/_mock/accounts/{ACCOUNT}/expected/03-03-2026.csv?version=0"), 400,
                    "mock.bad_query")


def test_the_journal_is_bounded_redacted_and_clearable(client, state):
    client.get(url(YESTERDAY), headers={**basic(ANALYST), "Range": "bytes=0-9"})
    client.get(url(YESTERDAY), headers=basic(ANALYST, "secret-guess"))
    client.get("/_mock/health")  # the control API is not journaled
    entries = client.get("/_mock/requests").get_json()
    assert entries["total"] == 2 and entries["capacity"] == 1000
    first, second = entries["requests"]
    assert first["status"] == 206 and first["login"] == ANALYST and first["version"] == 1
    assert first["headers"]["Range"] == "bytes=0-9"
    assert first["headers"]["Authorization"] == "Basic [redacted]"
    assert first["at"] == "2026-03-04T09:00:00Z"
    assert second["status"] == 401 and second["login"] is None and second["error"] == "rawlogs.unauthorized"
    assert "secret-guess" not in repr(entries) and "analyst-pw" not in repr(entries)
    assert client.get("/_mock/requests?limit=1").get_json()["requests"] == [second]
    assert_envelope(client.get("/_mock/requests?limit=x"), 400, "mock.bad_query")
    assert client.delete("/_mock/requests").status_code == 204
    assert client.get("/_mock/requests").get_json()["requests"] == []
    for _ in range(1005):
        state.journal.record({"n": 1})
    assert len(state.journal.entries()) == 1000


def test_reset_returns_to_the_initial_state_fast(client, state):
    client.patch(f"/_mock/accounts/{ACCOUNT}", json={"rawlogsEnabledAt": None, "cleanupDays": 1})
    client.put("/_mock/users/temp", json={"password": "pw", "account": ACCOUNT, "roles": ["RAWLOGS_ANALYTIC"]})
    client.delete(f"/_mock/users/{ANALYST}")
    client.post("/_mock/clock", json={"now": "2027-01-01T00:00:00Z", "frozen": False})
    client.post(run_url(date(2026, 12, 1)), headers=basic("admin"))
    started = time.perf_counter()
    assert client.post("/_mock/reset").status_code == 200
    elapsed = time.perf_counter() - started
    assert client.get("/_mock/clock").get_json() == {"now": "2026-03-04T09:00:00Z", "frozen": True, "real": False}
    assert client.get(url(YESTERDAY), headers=basic(ANALYST)).status_code == 200
    assert client.get(url(YESTERDAY), headers=basic("temp", "pw")).status_code == 401
    assert state.account(ACCOUNT).retention_history[-1].days is None
    assert not state.snapshot().regenerations
    assert client.get("/_mock/requests").get_json()["total"] == 2  # the two downloads since the reset
    print(f"reset took {elapsed * 1000:.2f} ms")  # reported, not asserted (no timing assertions)


def test_control_api_is_loopback_only_by_default(client):
    for method, path in (("GET", "/_mock/health"), ("POST", "/_mock/reset"), ("GET", "/_mock/nope"),
                         ("GET", "/_mock/openapi.json")):
        response = client.open(path, method=method, environ_base=REMOTE)
        body = assert_envelope(response, 403, "mock.not_loopback")
        assert body["args"]["remoteAddr"] == "10.1.2.3"
    for address in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        assert client.get("/_mock/health", environ_base={"REMOTE_ADDR": address}).status_code == 200
    # The platform endpoints answer everyone.
    assert client.get(url(YESTERDAY), headers=basic(ANALYST), environ_base=REMOTE).status_code == 200


def test_control_token_is_required_when_set(config, tmp_path):
    app = create_app(config, data_dir=tmp_path, clock=Clock(T0, frozen=True), control_token="s3cret")
    client = app.test_client()
    try:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"},
                        {"Authorization": "Bearer s3cret-and-more"}):
            response = client.get("/_mock/health", headers=headers)
            assert_envelope(response, 401, "mock.bad_token")
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="jaicp-mock"'
        ok = {"Authorization": "Bearer s3cret"}
        assert client.get("/_mock/health", headers=ok).status_code == 200
        assert client.get("/_mock/health", headers=ok, environ_base=REMOTE).status_code == 200
    finally:
        state_of(app).close()


def test_unknown_control_paths_and_methods(client):
    assert_envelope(client.get("/_mock/nope"), 404, "mock.not_found")
    response = client.delete("/_mock/clock")
    assert_envelope(response, 405, "mock.method_not_allowed")
    assert response.headers["Allow"] == "GET, HEAD, POST"


def test_openapi_describes_every_route(app, client):
    document = client.get("/_mock/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item
                 if method != "parameters"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or is_ui_path(rule.rule) or is_dashboard_path(rule.rule):
            continue  # the browser's pages are not part of the API document
        path = re.sub(r"<([^>]+)>", lambda match: "{" + RENAMED.get(match[1], match[1]) + "}", rule.rule)
        if path == "/restapi/rawlogs/{name}":
            path = "/restapi/rawlogs/{file}"
        for method in rule.methods - {"OPTIONS"}:
            if method == "HEAD" and rule.rule.startswith(("/_mock", "/restapi/rawlogs/run", "/api/v1")) \
                    and not rule.rule.endswith("/file"):
                continue  # Flask's automatic HEAD (documented for files only); /run refuses it
            assert (path, method) in described, (path, method)
    codes = set(document["components"]["schemas"]["Error"]["properties"]["error"]["enum"])
    assert {"rawlogs.cleaned", "rawlogs.before_enablement", "mock.not_loopback"} <= codes


@pytest.mark.parametrize(("header", "shown"), [
    ("Basic YW5hbHlzdDp4", "Basic [redacted]"), ("bearer abc", "Bearer [redacted]"),
    ("Corr3ctH0rse-77", "[redacted]"), ("Basic\tYW5hbHlzdDp4", "[redacted]"), ("Basic ", "[redacted]"),
    ("Sekret-scheme-name-with-a-secret xyz", "[redacted]"),
])
def test_the_journal_names_only_a_recognised_scheme(client, state, header, shown):
    client.get(url(YESTERDAY), headers={"Authorization": header})
    assert state.journal.entries()[-1]["headers"]["Authorization"] == shown


def test_the_openapi_document_echoes_no_request_header(client):
    document = client.get("/_mock/openapi.json", headers={"Host": "evil.example:666"}).get_json()
    assert document["servers"] == [{"url": "/"}]
    assert "evil" not in json.dumps(document)


@pytest.mark.parametrize("path", ["/_mock/clock", "/_mock/users/x", "/_mock/faults", "/_mock/accounts/1234567"])
def test_deeply_nested_json_is_a_400(client, path):
    body = "[" * 1000 + "]" * 1000
    method = {"/_mock/users/x": "PUT", "/_mock/accounts/1234567": "PATCH"}.get(path, "POST")
    answer = client.open(path, method=method, data=body, content_type="application/json")
    assert_envelope(answer, 400, "mock.bad_json")
    nested = '{"a":' * 1000 + "1" + "}" * 1000
    assert_envelope(client.open(path, method=method, data=nested, content_type="application/json"), 400)


def test_the_control_api_refuses_a_misspelled_role_or_plan(client):
    refused = client.put("/_mock/users/x", json={"password": "p", "account": ACCOUNT, "roles": ["RAWLOGS_ANALYTICS"]})
    assert assert_envelope(refused, 400, "mock.bad_field")["args"]["field"] == "roles"
    assert "RAWLOGS_ANALYTIC'" in refused.get_json()["message"]
    assert client.put("/_mock/users/x", json={"password": "p", "account": ACCOUNT, "roles": ["OWNER"]}).status_code \
        == 201
    assert_envelope(client.patch(f"/_mock/accounts/{ACCOUNT}", json={"plan": "JAICP Busines Pro"}), 400)
