"""The pytest plugin and the context managers as a user meets them: fresh projects run with pytester.

Subprocess runs where entry points, separate processes or xdist matter; in-process runs (faster) for the rest.
"""

from __future__ import annotations

import errno
import socket
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import requests

from mock_server import state_of
from mock_server.testing import LiveServer, build_app, intercept, serve

DAY_URL_PATH = "/restapi/rawlogs/04-03-2026.csv"
AFTER_DAY = "2026-03-05T00:01:00Z"
ANALYST = ("analyst", "analyst")

# In-process runs inside an xdist worker make pytest-benchmark (if installed) warn that it is disabled.
pytestmark = pytest.mark.filterwarnings("ignore:Benchmarks are automatically disabled")

OWN_CONFIG_TOML = '''
seed = 7
regeneration_delay_seconds = 60

[[accounts]]
id = 42
rawlogs_enabled_at = "2026-01-01T00:00:00Z"
sessions_per_day = 5

[[accounts.projects]]
name = "Shop"
domain = "retail"
channels = ["vk"]

[[accounts.users]]
login = "etl"
password = "secret"
roles = ["RAWLOGS_ANALYTIC"]
admin = true
'''


@pytest.fixture(autouse=True)
def _plugins_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a user's machine: plugins load from their entry points."""
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)


def test_a_new_project_needs_no_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_new=f'''
        import httpx
        import requests

        def test_live(jaicp):
            jaicp.clock.set("{AFTER_DAY}")
            response = requests.get(jaicp.download_url("04-03-2026"), auth=("analyst", "analyst"))
            assert jaicp.url.startswith("http://127.0.0.1:")
            assert response.status_code == 200
            assert response.content == jaicp.expected_bytes("04-03-2026")

        def test_offline(jaicp_offline):
            jaicp_offline.clock.set("{AFTER_DAY}")
            url = "https://app.jaicp.com{DAY_URL_PATH}"
            expected = jaicp_offline.expected_bytes("04-03-2026")
            assert requests.get(url, auth=("analyst", "analyst")).content == expected
            assert httpx.get(url, auth=("analyst", "analyst")).content == expected
    ''')
    assert not list(pytester.path.glob("conftest.py")) and not list(pytester.path.glob("*.toml"))
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["plugins:*jaicp-mock*"])  # loaded from its entry point...
    result.stdout.no_fnmatch_line("configfile:*")  # ...with no configuration of the project's


def test_the_marker_sets_the_clock_and_the_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marker=f'''
        from datetime import UTC, datetime

        import pytest
        import requests

        from mock_server.config import parse_config

        EARLY = datetime(2026, 3, 5, 0, 0, 30, tzinfo=UTC)
        OWN = parse_config({OWN_CONFIG_TOML!r})

        @pytest.mark.jaicp(now="2026-03-05T00:00:30Z")
        @pytest.mark.parametrize("name", ["jaicp", "jaicp_offline"])
        def test_frozen(request, name):
            mock = request.getfixturevalue(name)
            assert mock.clock.now() == EARLY
            response = requests.get(mock.download_url("04-03-2026"), auth=("analyst", "analyst"))
            assert response.status_code == 404 and response.json()["error"] == "rawlogs.not_generated_yet"
            assert mock.clock.now() == EARLY

        @pytest.mark.jaicp(now=EARLY, frozen=False)
        @pytest.mark.parametrize("name", ["jaicp", "jaicp_offline"])
        def test_ticking(request, name):
            mock = request.getfixturevalue(name)
            assert not mock.state.clock.frozen and mock.clock.now() >= EARLY

        @pytest.mark.jaicp(now="{AFTER_DAY}", config=OWN)
        @pytest.mark.parametrize("name", ["jaicp", "jaicp_offline"])
        def test_own_configuration(request, name):
            mock = request.getfixturevalue(name)
            assert mock.account_id == 42
            assert requests.get(mock.download_url("04-03-2026"), auth=("etl", "secret")).status_code == 200
            assert requests.get(mock.download_url("04-03-2026"), auth=("analyst", "analyst")).status_code == 401

        @pytest.mark.parametrize("name", ["jaicp", "jaicp_offline"])
        def test_without_the_marker_the_session_configuration_is_back(request, name):
            assert request.getfixturevalue(name).account_id == 1234567
    ''')
    pytester.runpytest().assert_outcomes(passed=8)


def test_jaicp_config_can_be_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(f'''
        import pytest

        from mock_server.config import parse_config

        @pytest.fixture(scope="session")
        def jaicp_config():
            return parse_config({OWN_CONFIG_TOML!r}, "conftest.py")
    ''')
    pytester.makepyfile(test_config=f'''
        from datetime import timedelta

        import pytest
        import requests

        @pytest.mark.jaicp(now="{AFTER_DAY}")
        @pytest.mark.parametrize("name", ["jaicp", "jaicp_offline"])
        def test_served(request, name):
            mock = request.getfixturevalue(name)
            assert mock.account_id == 42
            response = requests.get(mock.download_url("04-03-2026"), auth=("etl", "secret"))
            assert response.status_code == 200
            records = mock.expected_records("04-03-2026")
            assert records and {{(r.project_name, r.channel_type) for r in records}} == {{("Shop", "vk")}}
            ticket = requests.post(mock.regeneration_url("04-03-2026"), auth=("etl", "secret")).json()
            assert ticket["readyAt"] == "2026-03-05T00:02:00Z"  # regeneration_delay_seconds = 60
            assert requests.get(mock.download_url("04-03-2026"), auth=("admin", "admin")).status_code == 401
    ''')
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_seed_option_changes_the_data(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_seed=f'''
        import hashlib
        from pathlib import Path

        import pytest
        import requests

        @pytest.mark.jaicp(now="{AFTER_DAY}")
        @pytest.mark.parametrize("name", ["jaicp", "jaicp_offline"])
        def test_digest(request, name):
            mock = request.getfixturevalue(name)
            body = requests.get(mock.download_url("04-03-2026"), auth=("analyst", "analyst")).content
            assert body == mock.expected_bytes("04-03-2026")
            Path(f"digest-{{name}}.txt").write_text(hashlib.sha256(body).hexdigest())
    ''')

    def digest(*options: str) -> str:
        pytester.runpytest(*options).assert_outcomes(passed=2)
        live, offline = ((pytester.path / f"digest-{name}.txt").read_text() for name in ("jaicp", "jaicp_offline"))
        assert live == offline
        return live

    default, one, two, one_again = digest(), digest("--jaicp-seed", "1"), digest("--jaicp-seed", "2"), \
        digest("--jaicp-seed", "1")
    assert len({default, one, two}) == 3
    assert one == one_again


def test_jaicp_url_runs_the_tests_against_a_running_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_remote='''
        from datetime import UTC, datetime

        import requests

        def test_remote(jaicp):
            assert jaicp.state is None  # nothing in-process: everything goes through the control API
            assert jaicp.clock.now() == datetime(2026, 3, 5, 0, 1, tzinfo=UTC)  # the server's own initial clock
            jaicp.add_user("etl", "pw")
            jaicp.clock.advance(60)
            response = requests.get(jaicp.download_url("04-03-2026"), auth=("etl", "pw"))
            assert response.status_code == 200 and response.headers["X-Rawlogs-Version"] == "1"
            assert response.content == jaicp.expected_bytes("04-03-2026")
            assert [(entry["login"], entry["status"]) for entry in jaicp.requests] == [("etl", 200)]
    ''')
    with serve(now=AFTER_DAY) as server:
        server.add_user("leftover", "x")  # the inner test's reset must remove it
        result = pytester.runpytest_subprocess("--jaicp-url", server.url)
        result.assert_outcomes(passed=1)
        assert server.state.user("etl") is not None and server.state.user("leftover") is None
        assert [(entry["path"], entry["login"]) for entry in server.requests] == [(DAY_URL_PATH, "etl")]
        assert server.clock.now() == datetime(2026, 3, 5, 0, 2, tzinfo=UTC)  # advanced by the inner test


def test_parallel_workers_never_collide(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_parallel='''
        from datetime import date, timedelta
        from pathlib import Path

        import pytest
        import requests

        @pytest.mark.parametrize("name", ["jaicp", "jaicp_offline"])
        @pytest.mark.parametrize("n", range(6))
        def test_isolated(request, worker_id, name, n):
            mock = request.getfixturevalue(name)
            day = date(2026, 3, 1) + timedelta(days=n)
            moment = f"{day + timedelta(days=1)}T00:01:00Z"
            mock.clock.set(moment)
            mock.add_user(f"user{n}", f"pw{n}")
            mock.set_cleanup_days(n)
            served = requests.get(mock.download_url(day), auth=(f"user{n}", f"pw{n}"))
            assert served.status_code == 200 and served.content == mock.expected_bytes(day)
            ticket = requests.post(mock.regeneration_url(day), auth=("admin", "admin"))
            assert ticket.status_code == 202 and ticket.json()["version"] == 2
            assert [(entry["login"], entry["status"]) for entry in mock.requests] == [(f"user{n}", 200), ("admin", 202)]
            assert mock.clock.now().isoformat().startswith(moment[:16])
            if name == "jaicp":
                with Path(f"ports-{worker_id}.txt").open("a") as ports:
                    ports.write(f"{mock.url}\\n")
    ''')
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=12)
    urls = {path.name: set(path.read_text().split()) for path in pytester.path.glob("ports-*.txt")}
    assert set(urls) == {"ports-gw0.txt", "ports-gw1.txt"}, result.stdout.str()
    assert all(len(found) == 1 for found in urls.values())  # one server per worker...
    assert len(set.union(*urls.values())) == 2  # ...on a port of its own


def test_each_test_starts_from_a_reset_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_isolation=f'''
        from datetime import UTC, datetime, timedelta

        import pytest
        import requests

        MODES = ["jaicp", "jaicp_offline"]

        @pytest.mark.parametrize("name", MODES)
        def test_a_changes_everything(request, name):
            mock = request.getfixturevalue(name)
            mock.clock.set("{AFTER_DAY}")
            mock.add_user("temp", "temp")
            mock.remove_user("analyst")
            requests.post(mock.regeneration_url("04-03-2026"), auth=("admin", "admin"))
            mock.set_cleanup_days(0)
            mock.set_plan("JAICP Pro")  # off the business plan, and no support switch: raw logs are off
            mock.disable()
            response = requests.get(mock.download_url("04-03-2026"), auth=("temp", "temp"))
            assert response.status_code == 403 and response.json()["error"] == "rawlogs.disabled"

        @pytest.mark.parametrize("name", MODES)
        def test_b_sees_none_of_it(request, name):
            mock = request.getfixturevalue(name)
            assert mock.requests == []
            assert abs(mock.clock.now() - datetime.now(UTC)) < timedelta(hours=1)  # real time again
            mock.clock.set("{AFTER_DAY}")
            assert requests.get(mock.download_url("04-03-2026"), auth=("temp", "temp")).status_code == 401
            response = requests.get(mock.download_url("04-03-2026"), auth=("analyst", "analyst"))
            assert response.status_code == 200 and response.headers["X-Rawlogs-Version"] == "1"
    ''')
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*test_a_changes_everything*PASSED*", "*test_a_changes_everything*PASSED*",
                                 "*test_b_sees_none_of_it*PASSED*", "*test_b_sees_none_of_it*PASSED*"])


def test_jaicp_hosts_adds_hosts_to_the_offline_mode(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('''
        import pytest

        @pytest.fixture(scope="session")
        def jaicp_hosts():
            return ("app.jaicp.com", "jaicp.corp.example")
    ''')
    pytester.makepyfile(test_hosts=f'''
        import httpx
        import pytest
        import requests

        @pytest.mark.jaicp(now="{AFTER_DAY}")
        @pytest.mark.parametrize("host", ["app.jaicp.com", "jaicp.corp.example"])
        def test_host(jaicp_offline, host):
            url = f"https://{{host}}{DAY_URL_PATH}"
            assert requests.get(url, auth=("analyst", "analyst")).status_code == 200
            assert httpx.get(url, auth=("analyst", "analyst")).status_code == 200
            assert [entry["status"] for entry in jaicp_offline.requests] == [200, 200]
    ''')
    pytester.runpytest().assert_outcomes(passed=2)


def test_intercept_answers_a_custom_host_and_lets_others_through() -> None:
    host = "jaicp.internal.test"
    with serve(now=AFTER_DAY) as live, intercept(hosts=[host], now=AFTER_DAY) as mock:
        assert mock.url == f"https://{host}"
        expected = mock.expected_bytes("04-03-2026")
        assert requests.get(mock.download_url("04-03-2026"), auth=ANALYST).content == expected
        with httpx.Client() as client:
            assert client.get(f"http://{host}:8080{DAY_URL_PATH}", auth=ANALYST).content == expected
        assert [entry["status"] for entry in mock.requests] == [200, 200]
        # Other hosts, such as a live mock on 127.0.0.1, are not intercepted.
        assert requests.get(live.download_url("04-03-2026"), auth=ANALYST).content == expected
        assert httpx.get(live.download_url("04-03-2026"), auth=ANALYST).content == expected
        assert len(live.requests) == 2 and len(mock.requests) == 2


def test_serve_reports_a_port_in_use_to_the_caller() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as failure, serve(port=port):
            pass
        assert failure.value.errno == errno.EADDRINUSE
        app = build_app()
        try:
            with pytest.raises(OSError):
                LiveServer(app, port=port).start()
        finally:
            state_of(app).close()


def test_serve_stops_listening_on_exit(tmp_path: Path) -> None:
    with serve(now=AFTER_DAY, data_dir=tmp_path) as server:
        assert requests.get(server.download_url("04-03-2026"), auth=ANALYST).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/_mock/health", timeout=5)
