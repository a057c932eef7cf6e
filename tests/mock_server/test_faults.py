"""Injected faults (``/_mock/faults``): platform trouble on demand, deterministic, without sleeping."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
from mock_server.errors import ERRORS, FAULT_CODES
from mock_server.testing import JaicpMock, RemoteBackend, intercept, serve
from tests.support import ANALYST, CONFIG_TOML, T0, YESTERDAY, assert_envelope, basic, run_url, url

DAY_BEFORE = YESTERDAY - timedelta(days=1)


def add(client, **body):
    response = client.post("/_mock/faults", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def download(client, day=YESTERDAY, login=ANALYST, password=None):
    return client.get(url(day), headers=basic(login, password))


def test_a_fault_is_used_once_then_the_normal_answer_comes_back(client, state):
    fault = add(client, status=503)
    assert fault == {"id": fault["id"], "status": 503, "times": 1, "remaining": 1, "path": None, "retryAfter": None,
                     "kind": "status", "method": None, "login": None, "probability": 1.0, "params": {}}

    body = assert_envelope(download(client), 503, "rawlogs.unavailable")
    assert body["args"] == {"faultId": fault["id"], "remaining": 0, "retryAfter": None}
    assert "Retry-After" not in download(client).headers
    assert download(client).status_code == 200
    assert client.get("/_mock/faults").get_json() == {"faults": []}

    journal = [(entry["status"], entry["error"], entry["login"]) for entry in state.journal.entries()]
    assert journal == [(503, "rawlogs.unavailable", None), (200, None, ANALYST), (200, None, ANALYST)]


def test_times_counts_down_in_the_listing(client):
    fault = add(client, status=502, times=3)
    assert_envelope(download(client), 502, "rawlogs.bad_gateway")
    assert client.get("/_mock/faults").get_json()["faults"] == [{**fault, "remaining": 2}]
    assert_envelope(download(client), 502)
    assert_envelope(download(client), 502)
    assert download(client).status_code == 200


def test_a_fault_answers_before_authentication_and_on_every_platform_path(client, state):
    add(client, status=500, times=4)
    assert_envelope(download(client, password="wrong"), 500, "rawlogs.server_error")
    assert_envelope(client.get(url(YESTERDAY)), 500, "rawlogs.server_error")  # no credentials at all
    assert_envelope(client.post(run_url(YESTERDAY), headers=basic("admin")), 500, "rawlogs.server_error")
    assert_envelope(client.get("/restapi/no-such-endpoint"), 500, "rawlogs.server_error")
    assert client.post(run_url(YESTERDAY), headers=basic("admin")).get_json()["version"] == 2  # none was scheduled
    assert_envelope(download(client, password="wrong"), 401, "rawlogs.unauthorized")


def test_a_path_fault_hits_its_day_only(client):
    add(client, status=504, path=url(YESTERDAY))
    assert download(client, DAY_BEFORE).status_code == 200
    assert client.get(url(YESTERDAY) + "x", headers=basic(ANALYST)).status_code == 400  # another path
    assert_envelope(download(client), 504, "rawlogs.gateway_timeout")
    assert download(client).status_code == 200


def test_the_control_api_is_never_faulted_and_reading_faults_uses_none(client):
    add(client, status=503, times=2)
    for _ in range(3):
        assert client.get("/_mock/health").status_code == 200
        assert client.get("/_mock/faults").get_json()["faults"][0]["remaining"] == 2
    assert client.get("/_mock/requests").status_code == 200
    assert_envelope(client.post("/_mock/faults", json={"status": 503, "path": "/_mock/health"}), 400,
                    "mock.bad_field")


def test_retry_after_and_429(client):
    add(client, status=429, retryAfter=30)
    add(client, status=503, retryAfter=0)
    throttled = download(client)
    body = assert_envelope(throttled, 429, "rawlogs.too_many_requests")
    assert throttled.headers["Retry-After"] == "30" and body["args"]["retryAfter"] == 30
    unavailable = download(client)
    assert_envelope(unavailable, 503, "rawlogs.unavailable")
    assert unavailable.headers["Retry-After"] == "0"
    assert download(client).status_code == 200


@pytest.mark.parametrize("status", sorted(FAULT_CODES))
def test_every_status_has_its_own_code_in_the_table(client, status):
    add(client, status=status)
    code = FAULT_CODES[status]
    assert ERRORS[code].status == status
    assert_envelope(download(client), status, code)


def test_head_gets_the_status_without_a_body(client):
    add(client, status=503)
    response = client.head(url(YESTERDAY), headers=basic(ANALYST))
    assert response.status_code == 503 and response.data == b""


def test_faults_queue_oldest_first(client):
    first, second = add(client, status=503, times=2), add(client, status=429)
    path_fault = add(client, status=502, path=url(DAY_BEFORE))
    assert [fault["id"] for fault in client.get("/_mock/faults").get_json()["faults"]] == [
        first["id"], second["id"], path_fault["id"]]
    assert [download(client, DAY_BEFORE).status_code for _ in range(5)] == [503, 503, 429, 502, 200]


def test_delete_one_or_all(client):
    kept, removed = add(client, status=503), add(client, status=500)
    assert client.delete(f"/_mock/faults/{removed['id']}").status_code == 204
    assert_envelope(client.delete(f"/_mock/faults/{removed['id']}"), 404, "mock.unknown_fault")
    for bad in ("abc", "-1", "9" * 40, "%C3%A9"):
        assert_envelope(client.delete(f"/_mock/faults/{bad}"), 404, "mock.unknown_fault")
    assert [fault["id"] for fault in client.get("/_mock/faults").get_json()["faults"]] == [kept["id"]]
    assert client.delete("/_mock/faults").status_code == 204
    assert client.get("/_mock/faults").get_json() == {"faults": []}
    assert download(client).status_code == 200


def test_reset_clears_faults(client, state):
    add(client, status=503, times=5)
    state.add_fault(429, path=url(YESTERDAY))
    assert client.post("/_mock/reset").status_code == 200
    assert client.get("/_mock/faults").get_json() == {"faults": []}
    assert download(client).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({}, "status"),
    ({"status": 404}, "status"),
    ({"status": "503"}, "status"),
    ({"status": True}, "status"),
    ({"status": 503, "times": 0}, "times"),
    ({"status": 503, "times": -1}, "times"),
    ({"status": 503, "times": 1.5}, "times"),
    ({"status": 503, "times": 10**30}, "times"),
    ({"status": 503, "times": None}, "times"),
    ({"status": 503, "path": "restapi/rawlogs/03-03-2026.csv"}, "path"),
    ({"status": 503, "path": "/restapi/rawlogs/03-03-2026.csv?x=1"}, "path"),
    ({"status": 503, "path": "/_mock"}, "path"),
    ({"status": 503, "path": "/_mock/reset"}, "path"),
    ({"status": 503, "path": "/a\ud800"}, "path"),
    ({"status": 503, "path": "/a\nb"}, "path"),
    ({"status": 503, "path": 7}, "path"),
    ({"status": 503, "retryAfter": -1}, "retryAfter"),
    ({"status": 503, "retryAfter": 1.5}, "retryAfter"),
    ({"status": 503, "retryAfter": "30"}, "retryAfter"),
])
def test_bad_bodies_name_the_field(client, body, field):
    response = client.post("/_mock/faults", json=body)
    assert assert_envelope(response, 400, "mock.bad_field")["args"]["field"] == field
    assert client.get("/_mock/faults").get_json() == {"faults": []}


def test_unknown_fields_and_non_json(client):
    assert_envelope(client.post("/_mock/faults", json={"status": 503, "count": 2}), 400, "mock.unknown_field")
    assert_envelope(client.post("/_mock/faults", data="503"), 400, "mock.bad_json")
    assert_envelope(client.post("/_mock/faults", json=[503]), 400, "mock.bad_json")


def test_state_api_checks_its_arguments(state):
    with pytest.raises(ValueError, match="status"):
        state.add_fault(404)
    with pytest.raises(ValueError, match="times"):
        state.add_fault(503, times=0)
    assert state.take_fault(url(YESTERDAY)) is None
    fault = state.add_fault(503, times=2, path=url(YESTERDAY), retry_after=5)
    assert state.take_fault(url(DAY_BEFORE)) is None
    assert state.take_fault(url(YESTERDAY)).remaining == 1
    assert state.faults()[0].remaining == 1 and state.remove_fault(fault.id)
    assert state.faults() == () and not state.remove_fault(fault.id)


def test_two_apps_on_one_data_dir_use_each_use_exactly_once(config, tmp_path):
    first = create_app(config, data_dir=tmp_path, clock=Clock(T0, frozen=True))
    second = create_app(config, data_dir=tmp_path)
    try:
        added = first.test_client().post("/_mock/faults", json={"status": 503, "times": 7}).get_json()
        assert second.test_client().get("/_mock/faults").get_json()["faults"] == [added]

        def call(index: int) -> int:
            app = (first, second)[index % 2]
            return app.test_client().get(url(YESTERDAY), headers=basic(ANALYST)).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(call, range(40)))
        assert statuses.count(503) == 7 and statuses.count(200) == 33
        journals = [state_of(app).journal.entries() for app in (first, second)]
        assert sum(entry["error"] == "rawlogs.unavailable" for journal in journals for entry in journal) == 7
        for app in (first, second):
            assert app.test_client().get("/_mock/faults").get_json() == {"faults": []}

        second.test_client().post("/_mock/faults", json={"status": 429, "path": url(YESTERDAY)})
        assert_envelope(first.test_client().get(url(YESTERDAY), headers=basic(ANALYST)), 429)
        assert second.test_client().get(url(YESTERDAY), headers=basic(ANALYST)).status_code == 200
        second.test_client().post("/_mock/faults", json={"status": 500})
        first.test_client().post("/_mock/reset")
        assert second.test_client().get(url(YESTERDAY), headers=basic(ANALYST)).status_code == 200
    finally:
        state_of(first).close()
        state_of(second).close()


# -- through the plugin's handle -------------------------------------------------------------------------------


def test_intercept_handle_adds_and_clears_faults():
    with intercept(now="2026-03-04T09:00:00Z") as mock:
        target = mock.download_url("2026-03-03")
        fault = mock.add_fault(503, times=2, retry_after=1)
        assert mock.faults == [fault]
        first = requests.get(target, auth=("analyst", "analyst"))
        assert (first.status_code, first.headers["Retry-After"]) == (503, "1")
        assert requests.get(target, auth=("analyst", "analyst")).status_code == 503
        assert requests.get(target, auth=("analyst", "analyst")).status_code == 200

        mock.add_fault(429, path="03-03-2026")  # a day stands for its download path
        mock.add_fault(502, path="2026-03-02")
        assert [fault["path"] for fault in mock.faults] == ["/restapi/rawlogs/03-03-2026.csv",
                                                            "/restapi/rawlogs/02-03-2026.csv"]
        assert requests.get(target, auth=("analyst", "analyst")).status_code == 429
        mock.clear_faults()
        assert mock.faults == []
        assert [entry["status"] for entry in mock.requests] == [503, 503, 200, 429]
        with pytest.raises(ValueError, match="status"):
            mock.add_fault(418)


def test_remote_handle_reaches_the_faults_over_http():
    with serve(now="2026-03-04T09:00:00Z") as live:
        remote = JaicpMock(RemoteBackend(live.url), live.url)
        fault = remote.add_fault(504, path="2026-03-03")
        assert fault["path"] == "/restapi/rawlogs/03-03-2026.csv" and remote.faults == [fault]
        target = remote.download_url("2026-03-03")
        assert requests.get(target, auth=("analyst", "analyst"), timeout=10).status_code == 504
        assert requests.get(target, auth=("analyst", "analyst"), timeout=10).status_code == 200
        remote.add_fault(500, times=3)
        remote.clear_faults()
        assert remote.faults == [] and live.faults == []
        with pytest.raises(RuntimeError, match="400"):
            remote.add_fault(200)
        assert [entry["error"] for entry in remote.requests] == ["rawlogs.gateway_timeout", None]


# -- properties ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory):
    app = create_app(parse_config(CONFIG_TOML), data_dir=tmp_path_factory.mktemp("faults"),
                     clock=Clock(T0, frozen=True))
    yield app.test_client()
    state_of(app).close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from([429, 500, 502, 503, 504, "/restapi/rawlogs/03-03-2026.csv", "/_mock/health", "/\ud800"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
near_valid = st.fixed_dictionaries({"status": st.sampled_from(sorted(FAULT_CODES)) | json_values}, optional={
    "times": st.integers(-2, 5),
    "path": st.none() | st.sampled_from([url(YESTERDAY), "/restapi/rawlogs/", "/", "/_mock/x", "/a b", "/é%41#"])
    | st.text(max_size=20).map(lambda text: "/" + text) | json_values,
    "retryAfter": st.none() | st.integers(-1, 100_000),
})
"""Bodies close to valid, so that faults are made, used and checked too; the other strategies go further off."""
fault_bodies = st.one_of(near_valid, near_valid, st.dictionaries(
    st.sampled_from(["status", "times", "path", "retryAfter"]) | st.text(max_size=8), json_values, max_size=5
), json_values)


@settings(max_examples=300, deadline=None)
@given(body=fault_bodies)
def test_any_fault_body_is_201_or_a_400_envelope_and_never_a_500(shared_client, body):
    shared_client.delete("/_mock/faults")
    response = shared_client.post("/_mock/faults", json=body)
    assert response.status_code in (201, 400), response.get_data(as_text=True)[:300]
    if response.status_code == 400:
        assert response.get_json()["error"] in ("mock.bad_field", "mock.unknown_field", "mock.bad_json")
        return
    fault = response.get_json()
    assert shared_client.get("/_mock/faults").get_json()["faults"] == [fault]
    for path in (fault["path"], url(YESTERDAY)):
        if path is None:
            continue
        answer = shared_client.get(path, headers=basic(ANALYST))
        assert answer.status_code < 500 or answer.status_code == fault["status"]
        if answer.status_code >= 400:
            assert answer.get_json()["error"] in ERRORS
        if answer.status_code == fault["status"]:
            assert answer.get_json()["error"] == FAULT_CODES[fault["status"]]
        if fault["path"] in (None, url(YESTERDAY)) and path == url(YESTERDAY):
            assert answer.status_code == fault["status"]
            break

