"""State on a data dir: it survives a restart, and two apps (or processes) on one data dir agree."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
from mock_server.rules import Schedule
from tests.support import ACCOUNT, ANALYST, CONFIG_TOML, T0, YESTERDAY, assert_envelope, basic, run_url, url


def open_app(config, data_dir, clock=None):
    return create_app(config, data_dir=data_dir, clock=clock)


def test_two_apps_on_one_data_dir_agree(config, tmp_path):
    first = open_app(config, tmp_path, Clock(T0, frozen=True))
    second = open_app(config, tmp_path)
    a, b = first.test_client(), second.test_client()
    try:
        assert b.get("/_mock/clock").get_json()["now"] == "2026-03-04T09:00:00Z"
        a.post("/_mock/clock", json={"advanceSeconds": 3600})
        assert b.get("/_mock/clock").get_json()["now"] == "2026-03-04T10:00:00Z"

        a.patch(f"/_mock/accounts/{ACCOUNT}", json={"rawlogsEnabledAt": None})
        assert_envelope(b.get(url(YESTERDAY), headers=basic(ANALYST)), 403, "rawlogs.disabled")
        b.post("/_mock/reset")
        assert a.get(url(YESTERDAY), headers=basic(ANALYST)).status_code == 200
        assert a.get("/_mock/clock").get_json()["now"] == "2026-03-04T09:00:00Z"  # the initial clock of the first

        assert a.post(run_url(YESTERDAY), headers=basic("admin")).get_json()["version"] == 2
        b.post("/_mock/clock", json={"advanceSeconds": 300})
        again = b.post(run_url(YESTERDAY), headers=basic("admin")).get_json()
        assert again == {"accountId": ACCOUNT, "date": "03-03-2026", "version": 2, "readyAt": "2026-03-04T09:15:00Z"}
        a.post("/_mock/clock", json={"advanceSeconds": 600})
        for client in (a, b):
            response = client.get(url(YESTERDAY), headers=basic(ANALYST))
            assert response.headers["X-Rawlogs-Version"] == "2"
        assert a.get(url(YESTERDAY), headers=basic(ANALYST)).data == b.get(url(YESTERDAY), headers=basic(ANALYST)).data

        b.put("/_mock/users/new", json={"password": "pw", "account": ACCOUNT, "roles": ["RAWLOGS_ANALYTIC"]})
        assert a.get(url(YESTERDAY), headers=basic("new", "pw")).status_code == 200
    finally:
        state_of(first).close()
        state_of(second).close()


def test_concurrent_regenerations_on_two_states_hand_out_one_version(config, tmp_path):
    first = state_of(open_app(config, tmp_path, Clock(T0, frozen=True)))
    second = state_of(open_app(config, tmp_path))
    try:
        with ThreadPoolExecutor(8) as pool:
            decisions = list(pool.map(lambda index: (first, second)[index % 2].regenerate(ACCOUNT, YESTERDAY,
                                                                                          force=True), range(40)))
        assert all(isinstance(decision, Schedule) and decision.version == 2 for decision in decisions)
        assert sum(not decision.restarted for decision in decisions) == 1
        assert len(first.snapshot().regenerations_of(ACCOUNT, YESTERDAY)) == 1
    finally:
        first.close()
        second.close()


def test_state_survives_a_restart(config, tmp_path):
    app = open_app(config, tmp_path, Clock(T0, frozen=True))
    client = app.test_client()
    client.post(run_url(YESTERDAY), headers=basic("admin"))
    client.patch(f"/_mock/accounts/{ACCOUNT}/projects/shop", json={"cleanupDays": 5})
    client.put("/_mock/users/late", json={"password": "pw", "account": ACCOUNT, "roles": ["RAWLOGS_ANALYTIC"]})
    client.post("/_mock/clock", json={"advanceSeconds": 120})
    state_of(app).close()

    restarted = open_app(parse_config(CONFIG_TOML, "test.toml"), tmp_path)  # same content, no clock given
    client = restarted.test_client()
    try:
        assert client.get("/_mock/clock").get_json() == {"now": "2026-03-04T09:02:00Z", "frozen": True, "real": False}
        account = client.get(f"/_mock/accounts/{ACCOUNT}").get_json()
        assert account["pendingRegenerations"] == [{"date": "03-03-2026", "version": 2,
                                                     "readyAt": "2026-03-04T09:10:00Z"}]
        assert account["retentionDays"] == 5
        assert client.get(url(YESTERDAY), headers=basic("late", "pw")).status_code == 200
        client.post("/_mock/clock", json={"advanceSeconds": 480})
        assert client.get(url(YESTERDAY), headers=basic(ANALYST)).headers["X-Rawlogs-Version"] == "2"
    finally:
        state_of(restarted).close()


def test_an_explicit_clock_on_restart_replaces_only_the_clock(config, tmp_path):
    app = open_app(config, tmp_path, Clock(T0, frozen=True))
    app.test_client().put("/_mock/users/late", json={"password": "pw", "account": ACCOUNT, "roles": []})
    state_of(app).close()
    restarted = open_app(config, tmp_path, Clock(T0.replace(day=10), frozen=True))
    try:
        state = state_of(restarted)
        assert state.now() == T0.replace(day=10)
        assert state.user("late") is not None
    finally:
        state_of(restarted).close()


def test_a_changed_configuration_starts_afresh(config, tmp_path, caplog):
    app = open_app(config, tmp_path, Clock(T0, frozen=True))
    app.test_client().put("/_mock/users/late", json={"password": "pw", "account": ACCOUNT, "roles": []})
    state_of(app).close()
    changed = parse_config(CONFIG_TOML.replace("sessions_per_day = 6", "sessions_per_day = 7"))
    with caplog.at_level(logging.WARNING, logger="jaicp_mock"):
        restarted = open_app(changed, tmp_path)
    try:
        state = state_of(restarted)
        assert state.user("late") is None
        assert "configuration changed" in caplog.text
        # Files are keyed by what decides their bytes: the new configuration never serves the old files.
        old = state.files.path(config.account(ACCOUNT), date(2026, 3, 3), 1)
        new = state.files.path(changed.account(ACCOUNT), date(2026, 3, 3), 1)
        assert old != new
    finally:
        state_of(restarted).close()


def test_without_a_data_dir_the_state_is_temporary(config):
    app = create_app(config)
    state = state_of(app)
    folder = state.data_dir
    assert (folder / "state.sqlite").exists()
    state.close()
    assert not folder.exists()
