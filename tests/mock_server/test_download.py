"""``GET|HEAD /restapi/rawlogs/<dd-mm-yyyy>.csv`` over HTTP (the Flask test client), each rule at its edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from generators.csvformat import read_records
from mock_server import rawlogs
from tests.support import ACCOUNT, ANALYST, BUSINESS_ACCOUNT, YESTERDAY, assert_envelope, basic, url


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def get(client, day: date, login: str = ANALYST, **headers):
    return client.get(url(day), headers={**basic(login), **headers})


def test_serves_the_users_account_file_with_the_export_headers(client, state):
    response = get(client, YESTERDAY)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="03-03-2026.csv"'
    assert response.headers["Last-Modified"] == "Wed, 04 Mar 2026 00:01:00 GMT"
    assert response.headers["ETag"]
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.data == state.expected_bytes(ACCOUNT, YESTERDAY, 1)
    records = read_records(response.data)
    assert records and {record.project_name for record in records} <= {"demobot", "shop"}


def test_another_accounts_user_gets_that_accounts_file_in_its_dialect(client, state, clock):
    response = get(client, YESTERDAY, "biz")
    assert response.status_code == 200
    assert response.data == state.expected_bytes(BUSINESS_ACCOUNT, YESTERDAY, 1)
    assert response.data != state.expected_bytes(ACCOUNT, YESTERDAY, 1)
    assert response.data.startswith(b'\xef\xbb\xbf"session_id";')  # bom = true, quote_all = true
    assert b"\r\n" not in response.data  # line_end = "lf"


@pytest.mark.parametrize(("moment", "status", "code"), [
    ("2026-03-04T00:00:59", 404, "rawlogs.not_generated_yet"),
    ("2026-03-04T00:01:00", 200, None),
])
def test_yesterday_appears_at_00_01_utc(client, clock, moment, status, code):
    clock.set(at(moment))
    response = get(client, YESTERDAY)
    if code:
        body = assert_envelope(response, status, code)
        assert body["args"] == {"date": "03-03-2026", "dueAt": "2026-03-04T00:01:00Z"}
    else:
        assert response.status_code == status


def test_today_and_future_days_are_not_generated_yet(client):
    for day in (date(2026, 3, 4), date(2026, 3, 5), date(2099, 12, 31)):
        assert_envelope(get(client, day), 404, "rawlogs.not_generated_yet")


def test_the_enablement_day_is_available_and_the_day_before_is_not(client):
    # Enabled 2026-01-10T12:00Z: the 01-10 file is generated 01-11 00:01, after the switch.
    assert get(client, date(2026, 1, 10)).status_code == 200
    body = assert_envelope(get(client, date(2026, 1, 9)), 404, "rawlogs.before_enablement")
    assert body["args"]["enabledAt"] == "2026-01-10T12:00:00Z"


def test_a_business_plan_enables_from_plan_since(client):
    # Support switch 2026-02-15, but on a business plan since 2026-02-01 00:00.
    # 01-31 is generated 02-01 00:01, after the plan switch at 00:00: available; 01-30 (generated 01-31) is not.
    assert get(client, date(2026, 1, 31), "biz").status_code == 200
    body = assert_envelope(get(client, date(2026, 1, 30), "biz"), 404, "rawlogs.before_enablement")
    assert body["args"]["enabledAt"] == "2026-02-01T00:00:00Z"


def test_switching_to_a_business_plan_enables_from_the_switch(client, state, clock):
    state.update_account(ACCOUNT, rawlogs_enabled_at=None)
    assert_envelope(get(client, YESTERDAY), 403, "rawlogs.disabled")
    state.update_account(ACCOUNT, plan="JAICP Business Standard")  # plan_since: the clock's now
    assert state.account(ACCOUNT).plan_since == clock.now()
    assert_envelope(get(client, YESTERDAY), 404, "rawlogs.before_enablement")
    clock.advance(timedelta(days=1))
    assert get(client, date(2026, 3, 4)).status_code == 200


def test_a_disabled_account_refuses_every_download(client):
    for day in (YESTERDAY, date(2026, 1, 1), date(2030, 1, 1)):
        body = assert_envelope(get(client, day, "other"), 403, "rawlogs.disabled")
        assert body["args"]["accountId"] == 7654321


def test_cleanup_boundary_day(client, state):
    state.update_account(ACCOUNT, cleanup_days=5)  # applies from the next run: 2026-03-05 00:01
    assert get(client, date(2026, 2, 20)).status_code == 200
    state.clock.set(at("2026-03-05T00:01:00"))
    assert get(client, date(2026, 2, 28)).status_code == 200  # R - N = 03-05 - 5
    body = assert_envelope(get(client, date(2026, 2, 27)), 404, "rawlogs.cleaned")  # R - N - 1
    assert body["args"] == {"date": "27-02-2026", "retentionDays": 5, "cutoff": "28-02-2026"}


def test_retention_zero_means_never_downloadable(client, state):
    state.update_account(ACCOUNT, cleanup_days=0)
    state.clock.set(at("2026-03-05T00:00:59"))
    assert get(client, YESTERDAY).status_code == 200  # decided by the run of 03-04, which kept 30 days
    assert_envelope(get(client, date(2026, 3, 4)), 404, "rawlogs.not_generated_yet")
    state.clock.set(at("2026-03-05T00:01:00"))
    assert_envelope(get(client, date(2026, 3, 4)), 404, "rawlogs.cleaned")
    assert_envelope(get(client, YESTERDAY), 404, "rawlogs.cleaned")


def test_a_project_level_cleanup_hides_days_for_the_whole_account(client, state):
    state.update_project(ACCOUNT, "shop", cleanup_days=2)
    state.clock.set(at("2026-03-05T00:01:00"))
    assert get(client, date(2026, 3, 3)).status_code == 200
    assert_envelope(get(client, date(2026, 3, 2)), 404, "rawlogs.cleaned")  # demobot's dialogs go too
    assert state.account(ACCOUNT).retention_history[-1].days == 2


def test_raising_retention_later_does_not_restore_cleaned_days(client, state):
    state.update_account(ACCOUNT, cleanup_days=1)
    state.clock.set(at("2026-03-05T00:01:00"))  # the run at this moment keeps 1 day: days < 03-04 go
    assert_envelope(get(client, date(2026, 3, 2)), 404, "rawlogs.cleaned")
    state.update_account(ACCOUNT, cleanup_days=999)  # used from the 03-06 run on
    state.clock.set(at("2026-03-07T00:01:00"))
    assert_envelope(get(client, date(2026, 3, 2)), 404, "rawlogs.cleaned")
    assert_envelope(get(client, date(2026, 3, 3)), 404, "rawlogs.cleaned")
    assert get(client, date(2026, 3, 4)).status_code == 200


@pytest.mark.parametrize("name", [
    "31-02-2024.csv", "29-02-2023.csv", "00-01-2024.csv", "01-13-2024.csv", "01-01-0000.csv",
    "1-1-2024.csv", "01-01-24.csv", "2024-01-01.csv", "01-01-2024", "01-01-2024.CSV", "01-01-2024.csv.bak",
    "01-01-2024.csvx", " 01-01-2024.csv", "01_01_2024.csv", "x" * 5000, "١٢-٠١-٢٠٢٤.csv", "０１-０１-２０２４.csv",
    "01-01-2024%00.csv", "%2e%2e", "..", "...csv", "%252e%252e%252fetc%252fpasswd",
    "31-12-9999.csv", "01-01-0001.csv", "31-12-1899.csv",  # real dates outside the years the mock answers for
])
def test_malformed_and_hostile_days_are_400(client, name):
    body = assert_envelope(client.get(f"/restapi/rawlogs/{name}", headers=basic(ANALYST)), 400, "rawlogs.bad_date")
    assert len(body["message"]) < 300


@pytest.mark.parametrize("path", [
    "/restapi/rawlogs/..%2F..%2Fetc%2Fpasswd", "/restapi/rawlogs/../../etc/passwd", "/restapi/rawlogs/a/b.csv",
    "/restapi/rawlogs/01-01-2024.csv/", "/restapi/rawlogs//etc/passwd", "/restapi/rawlogs/%2Fetc%2Fpasswd",
])
def test_paths_with_slashes_are_404_not_a_file(client, path):
    response = client.get(path, headers=basic(ANALYST))
    assert response.status_code in (400, 404)
    assert response.get_json()["error"] in ("rawlogs.not_found", "rawlogs.bad_date")


def test_401_is_the_same_for_no_auth_unknown_login_and_wrong_password(client):
    answers = [
        client.get(url(YESTERDAY)),
        client.get(url(YESTERDAY), headers=basic("nobody", "analyst-pw")),
        client.get(url(YESTERDAY), headers=basic(ANALYST, "wrong")),
        client.get(url(YESTERDAY), headers=basic(ANALYST, "")),
        client.get(url(YESTERDAY), headers={"Authorization": "Basic !!!not-base64"}),
        client.get(url(YESTERDAY), headers={"Authorization": "Bearer analyst-pw"}),
        client.get(url(YESTERDAY), headers={"Authorization": "Basic"}),
    ]
    for response in answers:
        assert_envelope(response, 401, "rawlogs.unauthorized")
        assert response.headers["WWW-Authenticate"] == 'Basic realm="JAICP"'
    assert len({response.data for response in answers}) == 1


def test_auth_comes_before_date_checks(client):
    assert_envelope(client.get("/restapi/rawlogs/31-02-2024.csv"), 401, "rawlogs.unauthorized")


def test_403_without_the_role(client):
    body = assert_envelope(get(client, YESTERDAY, "viewer"), 403, "rawlogs.missing_role")
    assert body["args"] == {"login": "viewer"}
    assert_envelope(get(client, YESTERDAY, "boss"), 403, "rawlogs.missing_role")  # admin alone is not enough


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_other_methods_are_405_with_allow(client, method):
    response = client.open(url(YESTERDAY), method=method, headers=basic(ANALYST))
    assert_envelope(response, 405, "rawlogs.method_not_allowed")
    assert response.headers["Allow"] == "GET, HEAD"


def test_head_gives_the_headers_without_the_body(client, state):
    response = client.head(url(YESTERDAY), headers=basic(ANALYST))
    assert response.status_code == 200
    assert response.data == b""
    assert int(response.headers["Content-Length"]) == len(state.expected_bytes(ACCOUNT, YESTERDAY, 1))
    unauthorized = client.head(url(YESTERDAY))
    assert unauthorized.status_code == 401 and unauthorized.data == b""


def test_conditional_get_gives_304(client):
    first = get(client, YESTERDAY)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert get(client, YESTERDAY, **{"If-None-Match": etag}).status_code == 304
    assert get(client, YESTERDAY, **{"If-Modified-Since": modified}).status_code == 304
    assert get(client, YESTERDAY, **{"If-None-Match": '"something-else"'}).status_code == 200
    assert get(client, YESTERDAY, **{"If-Modified-Since": "Tue, 03 Mar 2026 00:00:00 GMT"}).status_code == 200


def test_range_gives_206_and_a_bad_range_416(client, state):
    expected = state.expected_bytes(ACCOUNT, YESTERDAY, 1)
    response = get(client, YESTERDAY, Range="bytes=10-99")
    assert response.status_code == 206
    assert response.data == expected[10:100]
    assert response.headers["Content-Range"] == f"bytes 10-99/{len(expected)}"
    tail = get(client, YESTERDAY, Range="bytes=-5")
    assert tail.status_code == 206 and tail.data == expected[-5:]
    resumed = get(client, YESTERDAY, Range="bytes=100-", **{"If-Range": response.headers["ETag"]})
    assert resumed.status_code == 206 and resumed.data == expected[100:]
    bad = get(client, YESTERDAY, Range=f"bytes={len(expected) + 10}-")
    assert_envelope(bad, 416, "rawlogs.range_not_satisfiable")


def test_unknown_paths_get_the_envelope(client):
    for path in ("/", "/restapi", "/restapi/rawlogs", "/restapi/rawlogs/", "/favicon.ico", "/restapi/other.csv"):
        assert_envelope(client.get(path), 404, "rawlogs.not_found")


def test_big_files_are_streamed_with_the_same_answers(client, state, monkeypatch):
    monkeypatch.setattr(rawlogs, "INLINE_LIMIT", 0)  # every file counts as big: sent through the file wrapper
    expected = state.expected_bytes(ACCOUNT, YESTERDAY, 1)
    full = get(client, YESTERDAY)
    assert full.status_code == 200 and full.data == expected
    assert int(full.headers["Content-Length"]) == len(expected)
    part = get(client, YESTERDAY, Range="bytes=5-20")
    assert part.status_code == 206 and part.data == expected[5:21]
    assert get(client, YESTERDAY, **{"If-None-Match": full.headers["ETag"]}).status_code == 304
    head = client.head(url(YESTERDAY), headers=basic(ANALYST))
    assert head.status_code == 200 and head.data == b""


def test_a_file_removed_under_a_running_server_is_made_again(client, state, monkeypatch):
    monkeypatch.setattr(rawlogs, "INLINE_LIMIT", 0)  # read from disk on every download
    first = get(client, YESTERDAY)
    path = state.files.path(state.config.account(ACCOUNT), YESTERDAY, 1)
    path.unlink()  # e.g. someone cleaned the data dir
    again = get(client, YESTERDAY)
    assert again.status_code == 200 and again.data == first.data and path.exists()
