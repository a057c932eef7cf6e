"""The web foundation under the browser pages: the session key, the cookie, CSRF, headers, journal and faults."""

from __future__ import annotations

import re
import stat

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.web.secret import SECRET_FILE
from tests.support import PASSWORDS, T0, basic


def csrf_of(page_text: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page_text)
    assert match, page_text[:200]
    return match[1]


def log_in(client, login: str = "analyst@example.com"):
    token = csrf_of(client.get("/ui/login").text)
    return client.post("/ui/login", data={"login": login, "password": PASSWORDS[login], "csrf_token": token})


def test_the_session_key_is_private_and_shared_by_every_app_on_the_data_dir(config, tmp_path, app, client):
    key_file = tmp_path / "data" / SECRET_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert log_in(client).status_code == 302
    second = create_app(config, data_dir=tmp_path / "data", clock=Clock(T0, frozen=True))
    try:
        assert second.secret_key == app.secret_key
        other = second.test_client()
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        other.set_cookie(cookie.key, cookie.value)
        assert "You are logged in as" in other.get("/ui/login").text  # a restart keeps the session
    finally:
        state_of(second).close()


def test_another_data_dir_has_another_key_and_cookie_name(config, tmp_path, app):
    other = create_app(config, data_dir=tmp_path / "other", clock=Clock(T0, frozen=True))
    try:
        assert other.secret_key != app.secret_key
        assert other.config["SESSION_COOKIE_NAME"] != app.config["SESSION_COOKIE_NAME"]
    finally:
        state_of(other).close()


def test_the_cookie_is_httponly_samesite_and_the_page_carries_security_headers(client):
    response = client.get("/ui/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_form_without_its_csrf_token_is_refused_with_the_envelope(client):
    client.get("/ui/login")
    response = client.post("/ui/login", data={"login": "analyst@example.com", "password": "analyst-pw"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "web.csrf_failed"
    forged = client.post("/ui/login", data={"login": "analyst@example.com", "password": "analyst-pw",
                                                   "csrf_token": "x.y.z"})
    assert forged.get_json()["error"] == "web.csrf_failed"


def test_the_json_apis_need_no_csrf_token_and_set_no_cookie(client, state):
    response = client.post("/_mock/clock", json={"advanceSeconds": 60})
    assert response.status_code == 200
    download = client.get("/restapi/rawlogs/03-03-2026.csv", headers=basic("analyst@example.com"))
    assert download.status_code == 200
    assert "Set-Cookie" not in download.headers and "Cookie" not in download.headers.get("Vary", "")


def test_a_session_cookie_does_not_authenticate_an_api_request(client):
    log_in(client)
    assert client.get("/restapi/rawlogs/03-03-2026.csv").status_code == 401


def test_pages_are_neither_journaled_nor_faulted(client, state):
    state.add_fault(503, times=5)
    assert client.get("/ui/login").status_code == 200
    assert client.get("/ui/static/live.js").status_code == 200
    assert state.journal.entries() == []
    assert len(state.faults()) == 1 and state.faults()[0].remaining == 5


def test_an_unknown_page_and_a_wrong_method_answer_the_envelope(client):
    missing = client.get("/ui/no-such-page")
    assert (missing.status_code, missing.get_json()["error"]) == (404, "web.not_found")
    wrong = client.delete("/ui/login")
    assert (wrong.status_code, wrong.get_json()["error"]) == (405, "web.method_not_allowed")
