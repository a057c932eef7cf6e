"""Properties over arbitrary input: whatever arrives, the answer is never a 500 and every error is the envelope."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
from mock_server.errors import ERRORS
from tests.support import ANALYST, CONFIG_TOML, PASSWORDS, T0, basic

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PREFIXES = ("/restapi/rawlogs/", "/restapi/rawlogs/run/", "/restapi/rawlogs/run/1234567/", "/_mock/",
            "/_mock/accounts/", "/_mock/accounts/1234567/files?from=", "/_mock/users/", "/")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    config = parse_config(CONFIG_TOML)
    app = create_app(config, data_dir=tmp_path_factory.mktemp("props"), clock=Clock(T0, frozen=True))
    yield app.test_client()
    state_of(app).close()


def check(response, method: str) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400 and method != "HEAD":
        body = response.get_json()
        assert set(body) == {"error", "message", "args"}
        assert body["error"] in ERRORS
        assert ERRORS[body["error"]].status == response.status_code or body["error"] == "rawlogs.http_error"


segments = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["31-02-2024.csv", "1-1-2024.csv", "..%2F..%2Fetc%2Fpasswd", "03-03-2026.csv", "03-03-2026", "١٢-٠١-٢٠٢٤.csv",
     "%00", "%ff", "..", "0" * 3000])


@settings(max_examples=400, deadline=None)
@given(prefix=st.sampled_from(PREFIXES), segment=segments, method=st.sampled_from(METHODS),
       encode=st.booleans(), authenticated=st.booleans())
def test_any_path_never_500_and_errors_are_the_envelope(client, prefix, segment, method, encode, authenticated):
    path = prefix + (quote(segment, safe="/%") if encode else quote(segment, safe="/%?=&.-"))
    headers = basic("admin") if authenticated else {}
    check(client.open(path, method=method, headers=headers), method)


@settings(max_examples=200, deadline=None)
@given(header=st.text(max_size=60) | st.binary(max_size=40).map(lambda data: "Basic " + base64.b64encode(data).decode())
       | st.tuples(st.text(max_size=20), st.text(max_size=20)).map(
           lambda pair: "Basic " + base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode()))
def test_any_authorization_header_is_answered_401_or_served(client, header):
    try:
        header.encode("latin-1")
    except UnicodeEncodeError:
        return  # not sendable as an HTTP header
    if any(character in header for character in "\r\n\x00"):
        return  # not sendable either (a client refuses it before it reaches the server)
    response = client.get("/restapi/rawlogs/03-03-2026.csv", headers={"Authorization": header})
    check(response, "GET")
    assert response.status_code in (200, 401, 403)


@settings(max_examples=150, deadline=None)
@given(body=st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                         lambda children: st.lists(children, max_size=3) | st.dictionaries(
                             st.sampled_from(["now", "advanceSeconds", "frozen", "plan", "planSince",
                                              "rawlogsEnabledAt", "cleanupDays", "password", "account", "roles",
                                              "admin", "x"]), children, max_size=4), max_leaves=8),
       target=st.sampled_from([("POST", "/_mock/clock"), ("PATCH", "/_mock/accounts/1234567"),
                               ("PATCH", "/_mock/accounts/1234567/projects/shop"), ("PUT", "/_mock/users/someone")]))
def test_any_control_body_is_accepted_or_a_400(client, body, target):
    method, path = target
    response = client.open(path, method=method, json=body)
    check(response, method)
    assert response.status_code in (200, 201, 400)
    client.post("/_mock/reset")


@settings(max_examples=150, deadline=None)
@given(day=st.dates(), run=st.booleans())
def test_any_calendar_day_is_answered_without_error(client, day, run):
    """Every real date, year 1 to 9999: an answer from the rules or 400 bad_date, never an overflow."""
    text = f"{day.day:02d}-{day.month:02d}-{day.year:04d}"
    path = f"/restapi/rawlogs/run/1234567/{text}" if run else f"/restapi/rawlogs/{text}.csv"
    response = client.post(path, headers=basic("admin")) if run else client.get(path, headers=basic("admin"))
    check(response, "POST" if run else "GET")
    if not 1900 <= day.year <= 9998:
        assert response.get_json()["error"] == "rawlogs.bad_date"
    listing = client.get(f"/_mock/accounts/1234567/files?from={day.isoformat()}&to={day.isoformat()}")
    check(listing, "GET")
    client.post("/_mock/reset")


@settings(max_examples=100, deadline=None)
@given(now=st.datetimes(), seconds=st.floats(allow_nan=False, allow_infinity=False))
def test_any_clock_setting_is_accepted_or_refused_never_overflows(client, now, seconds):
    response = client.post("/_mock/clock", json={"now": now.isoformat(), "advanceSeconds": seconds})
    check(response, "POST")
    assert response.status_code in (200, 400)
    check(client.get("/restapi/rawlogs/03-03-2026.csv", headers=basic("admin")), "GET")
    check(client.get("/_mock/accounts/1234567/files"), "GET")
    client.post("/_mock/reset")


def test_a_known_login_still_downloads_after_the_fuzzing(client):
    assert client.get("/restapi/rawlogs/03-03-2026.csv", headers=basic(ANALYST, PASSWORDS[ANALYST])).status_code == 200
