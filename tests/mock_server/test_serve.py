"""``jaicp-mock serve``: flag errors as one line, the banner, the access log, signals, and restarts on a data dir."""

from __future__ import annotations

import re
import signal
import socket
from pathlib import Path

import pytest
import requests

from mock_server.cli import main
from tests.support import serve, stop


@pytest.mark.parametrize(("flags", "message"), [
    (["--port", "70000"], "--port takes a port number from 0 to 65535"),
    (["--port", "http"], "--port takes a port number"),
    (["--now", "yesterday"], "--now takes an ISO-8601 date-time"),
    (["--control-token", " "], "--control-token takes a non-empty token"),
    (["--threads", "0"], "--threads takes a whole number from 1 to 256"),
    (["--host", "no-such-host.invalid"], "--host: cannot resolve"),
])
def test_bad_flags_are_one_line_and_exit_2(capsys, flags, message):
    assert main(["serve", *flags]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and "Traceback" not in error


def test_a_bad_config_names_the_file_key_and_reason(tmp_path, capsys):
    bad = tmp_path / "mock.toml"
    bad.write_text('[[accounts]]\nid = 1\n[[accounts.projects]]\nname = "bot"\ndomain = "bank"\n', encoding="utf-8")
    assert main(["serve", "--config", str(bad)]) == 2
    error = capsys.readouterr().err
    assert error == (f"jaicp-mock: error: --config: {bad}: accounts[0].projects[0].domain: unknown value 'bank'; "
                     "accepted: banking, delivery, telecom, retail\n")
    assert main(["serve", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml: (file): no such file" in capsys.readouterr().err


def test_a_data_dir_that_is_a_file_and_a_port_in_use(tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("x")
    assert main(["serve", "--data-dir", str(file)]) == 2
    assert "--data-dir" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["serve", "--port", str(taken.getsockname()[1])]) == 2
    error = capsys.readouterr().err
    assert "--port: cannot listen on 127.0.0.1" in error and "--port 0" in error


@pytest.mark.slow
def test_serve_prints_a_working_curl_line_logs_without_credentials_and_stops_on_sigterm():
    process, url, banner = serve("--now", "2026-03-04T09:00:00Z")
    try:
        text = "\n".join(banner)
        assert "admin/admin" in text and "analyst/analyst" in text and "viewer/viewer" in text
        data_dir = Path(re.search(r"data: +(\S+) \(temporary", text).group(1))
        assert data_dir.is_dir()
        curl = re.search(r"curl -u (\w+):(\w+) -O (\S+)", text)
        assert curl.group(3) == f"{url}/restapi/rawlogs/03-03-2026.csv"
        response = requests.get(curl.group(3), auth=(curl.group(1), curl.group(2)))
        assert response.status_code == 200 and response.content.startswith(b"session_id;")
        assert requests.get(curl.group(3), auth=("analyst", "not-the-password")).status_code == 401
        login = re.search(r"in a browser: (\S+)", text).group(1)
        assert login == f"{url}/ui/login" and "Log in" in requests.get(login).text
        dashboard = re.search(r"dashboard: (\S+)", text).group(1)
        assert dashboard == f"{url}/_mock/dashboard/" and "Raw-log calendar" in requests.get(dashboard).text
    finally:
        status, log = stop(process)
    assert status == 0
    assert not data_dir.exists()
    lines = [line for line in log.splitlines() if "/restapi/rawlogs/" in line]
    assert len(lines) == 2
    assert " GET /restapi/rawlogs/03-03-2026.csv 200 analyst " in lines[0]
    assert " 401 - " in lines[1]
    assert "not-the-password" not in log and "Basic " not in log and "analyst:analyst" not in log


@pytest.mark.slow
def test_state_survives_a_restart_with_a_data_dir_and_sigint_stops_cleanly(tmp_path):
    data_dir = tmp_path / "state"
    process, url, _ = serve("--data-dir", str(data_dir), "--now", "2026-03-04T09:00:00Z", "--quiet")
    try:
        requests.post(f"{url}/_mock/clock", json={"frozen": True, "now": "2026-03-04T09:00:00Z"})
        accepted = requests.post(f"{url}/restapi/rawlogs/run/1234567/03-03-2026?force=true", auth=("admin", "admin"))
        assert accepted.status_code == 202 and accepted.json()["readyAt"] == "2026-03-04T09:10:00Z"
        requests.patch(f"{url}/_mock/accounts/1234567", json={"cleanupDays": 3})
    finally:
        assert stop(process, signal.SIGINT)[0] == 0
    assert data_dir.is_dir()

    process, url, banner = serve("--data-dir", str(data_dir), "--quiet")  # no --now: the stored clock
    try:
        assert "mock time 2026-03-04T09:00:00Z, frozen" in "\n".join(banner)
        account = requests.get(f"{url}/_mock/accounts/1234567").json()
        assert account["pendingRegenerations"] == [{"date": "03-03-2026", "version": 2,
                                                     "readyAt": "2026-03-04T09:10:00Z"}]
        assert account["retentionDays"] == 3
        requests.post(f"{url}/_mock/clock", json={"advanceSeconds": 600})
        response = requests.get(f"{url}/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"))
        assert response.headers["X-Rawlogs-Version"] == "2"
    finally:
        assert stop(process)[0] == 0


@pytest.mark.slow
def test_two_processes_on_one_data_dir_agree(tmp_path):
    data_dir = str(tmp_path / "shared")
    first, first_url, _ = serve("--data-dir", data_dir, "--now", "2026-03-04T09:00:00Z", "--quiet")
    second, second_url, _ = serve("--data-dir", data_dir, "--quiet")
    try:
        requests.post(f"{first_url}/_mock/clock", json={"now": "2026-03-04T09:00:00Z", "frozen": True})
        assert requests.get(f"{second_url}/_mock/clock").json()["now"] == "2026-03-04T09:00:00Z"
        accepted = requests.post(f"{second_url}/restapi/rawlogs/run/1234567/03-03-2026?force=true",
                                 auth=("admin", "admin")).json()
        again = requests.post(f"{first_url}/restapi/rawlogs/run/1234567/03-03-2026?force=true",
                              auth=("admin", "admin")).json()
        assert accepted["version"] == again["version"] == 2
        requests.post(f"{second_url}/_mock/clock", json={"advanceSeconds": 600})
        downloads = [requests.get(f"{url}/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"))
                     for url in (first_url, second_url)]
        assert [response.headers["X-Rawlogs-Version"] for response in downloads] == ["2", "2"]
        assert downloads[0].content == downloads[1].content
        requests.patch(f"{first_url}/_mock/accounts/1234567", json={"rawlogsEnabledAt": None, "plan": "JAICP Pro"})
        refused = requests.get(f"{second_url}/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"))
        assert refused.status_code == 403 and refused.json()["error"] == "rawlogs.disabled"
    finally:
        assert stop(first)[0] == 0
        assert stop(second)[0] == 0


@pytest.mark.slow
def test_sighup_stops_like_sigterm_and_removes_the_temporary_data_dir():
    process, _, banner = serve("--quiet")
    data_dir = Path(re.search(r"data: +(\S+) \(temporary", "\n".join(banner)).group(1))
    assert stop(process, signal.SIGHUP)[0] == 0
    assert not data_dir.exists()


@pytest.mark.slow
def test_a_non_loopback_bind_is_named_with_a_warning():
    process, url, banner = serve("--host", "0.0.0.0", "--quiet")
    try:
        assert url.startswith("http://127.0.0.1:")  # where a client on this machine calls it
        assert "WARNING: bound to 0.0.0.0" in "\n".join(banner)
    finally:
        stop(process)
    process, _, banner = serve("--quiet")
    stop(process)
    assert "WARNING" not in "\n".join(banner)


def test_version(capsys):
    from mock_server import __version__
    from mock_server.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.strip() == f"jaicp-mock {__version__}"
    assert __version__[0].isdigit()


BIG_DAY = """
[[accounts]]
id = 1234567
rawlogs_enabled_at = "2026-01-01T00:00:00Z"
sessions_per_day = 100000
[[accounts.projects]]
name = "Demobot"
[[accounts.users]]
login = "analyst"
password = "analyst"
roles = ["RAWLOGS_ANALYTIC"]
"""


@pytest.mark.slow
def test_a_big_cold_day_starts_at_once_and_ctrl_c_mid_generation_leaves_no_part_file(tmp_path):
    config = tmp_path / "big.toml"
    config.write_text(BIG_DAY)
    data_dir = tmp_path / "data"
    process, url, _ = serve("--config", str(config), "--data-dir", str(data_dir), "--now", "2026-03-04T09:00:00Z",
                            "--quiet")
    try:
        with requests.get(f"{url}/restapi/rawlogs/03-03-2026.csv", auth=("analyst", "analyst"), stream=True,
                          timeout=5) as response:  # httpx's default read timeout: the first bytes come at once
            assert response.status_code == 200 and "Content-Length" not in response.headers
            assert next(response.iter_content(64)).startswith(b"session_id;")
            assert list(data_dir.glob("files/*/.*.part-*"))
            status, log = stop(process, signal.SIGINT)  # the client is still reading: it must not hold the stop
    finally:
        if process.poll() is None:
            stop(process)
    assert status == 0 and "Traceback" not in log and "still running" not in log
    assert list(data_dir.glob("files/*/.*.part-*")) == [] and list(data_dir.glob("files/*/*.csv")) == []
