"""pytest fixtures for JAICP's raw-log export, active as soon as jaicp-mock is installed (``pytest11``).

- ``jaicp``: a live mock on 127.0.0.1 (one per test session, port 0), reset before each test.
- ``jaicp_offline``: the same app and state answering ``requests``, ``httpx`` (sync and async), ``aiohttp`` and
  ``urllib`` calls to ``https://app.jaicp.com`` (and ``jaicp_hosts``) in-process, without a socket; a test's own
  responses/respx/aioresponses mocks keep answering every other host.
- ``jaicp_config``: override in a conftest to serve your own configuration.
- ``@pytest.mark.jaicp(now="2026-03-04T00:01:00Z", frozen=True, config=...)``: the clock (and, rarely, a
  configuration of its own) for one test.
- ``--jaicp-seed N``; ``--jaicp-url URL`` (with ``--jaicp-control-token``) runs the same tests against a mock
  that is already running.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask

from mock_server.config import MockConfig, demo_config, load_config
from mock_server.context import state_of
from mock_server.testing import DEFAULT_HOSTS, JaicpMock, LiveServer, RemoteBackend, build_app, intercept

MARKER = "jaicp"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("jaicp-mock", "JAICP raw-log mock")
    group.addoption("--jaicp-seed", type=int, default=None, help="seed of the generated data (default: the config's)")
    group.addoption("--jaicp-config", default=None, help="a TOML configuration for the mock (default: the demo)")
    group.addoption("--jaicp-url", default=None,
                    help="use the mock already running at this URL instead of starting one")
    group.addoption("--jaicp-control-token", default=None, help="bearer token of that mock's control API")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("jaicp_url") and getattr(config.option, "numprocesses", None):
        # Every worker would reset the one remote mock under the others' feet.
        raise pytest.UsageError("--jaicp-url shares one running mock between tests: run it without -n")
    config.addinivalue_line(
        "markers", f"{MARKER}(now=None, frozen=True, config=None): set the JAICP mock's clock (ISO-8601 or "
        "datetime) and optionally serve a configuration of its own for this test")


@pytest.fixture(scope="session")
def jaicp_config(pytestconfig: pytest.Config) -> MockConfig:
    """The configuration the session's mock serves; override this fixture to use your own."""
    path = pytestconfig.getoption("jaicp_config")
    return load_config(path) if path else demo_config()


def _seeded(config: MockConfig, pytestconfig: pytest.Config) -> MockConfig:
    """``--jaicp-seed`` applies to every configuration, an overridden ``jaicp_config`` included."""
    seed = pytestconfig.getoption("jaicp_seed")
    return dataclasses.replace(config, seed=seed) if seed is not None else config


@pytest.fixture(scope="session")
def jaicp_hosts() -> tuple[str, ...]:
    """Hosts that ``jaicp_offline`` answers; override to add your own (e.g. an on-premises platform host)."""
    return DEFAULT_HOSTS


@pytest.fixture(scope="session")
def jaicp_app(jaicp_config: MockConfig, tmp_path_factory: pytest.TempPathFactory,
              pytestconfig: pytest.Config) -> Iterator[Flask]:
    """One app and one state for the session, shared by the live server and the in-process mode."""
    app = build_app(_seeded(jaicp_config, pytestconfig), data_dir=tmp_path_factory.mktemp("jaicp-mock"))
    yield app
    state_of(app).close()


@pytest.fixture(scope="session")
def jaicp_server(jaicp_app: Flask) -> Iterator[LiveServer]:
    """The live server of the session: 127.0.0.1, a free port, a daemon thread."""
    with LiveServer(jaicp_app) as server:
        yield server


def _prepare(mock: JaicpMock, request: pytest.FixtureRequest) -> JaicpMock:
    mock.reset()
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        frozen = marker.kwargs.get("frozen", True)
        if marker.kwargs.get("now") is not None:
            mock.clock.set(marker.kwargs["now"], frozen=frozen)
        elif "frozen" in marker.kwargs:
            mock.clock.freeze(frozen)
    return mock


_OWN_APP = pytest.StashKey[Flask]()


def _app_for(request: pytest.FixtureRequest) -> Flask:
    """The session's app, or the one app of a test whose marker brings a configuration of its own (shared by
    ``jaicp`` and ``jaicp_offline`` in that test, so both see one state)."""
    marker = request.node.get_closest_marker(MARKER)
    own = marker.kwargs.get("config") if marker is not None else None
    if own is None:
        return request.getfixturevalue("jaicp_app")
    stash = request.node.stash
    if _OWN_APP not in stash:
        app = stash[_OWN_APP] = build_app(_seeded(own, request.config))
        request.node.addfinalizer(state_of(app).close)
    return stash[_OWN_APP]


@pytest.fixture
def jaicp(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Iterator[JaicpMock]:
    """A live mock, reset before the test: ``jaicp.url``, ``jaicp.clock``, account and user set-up,
    ``jaicp.requests``, ``jaicp.expected_bytes(day, version)``."""
    url = pytestconfig.getoption("jaicp_url")
    if url:
        marker = request.node.get_closest_marker(MARKER)
        if marker is not None and marker.kwargs.get("config") is not None:
            pytest.fail("@pytest.mark.jaicp(config=...) cannot change a mock that runs elsewhere (--jaicp-url)")
        backend = RemoteBackend(url, pytestconfig.getoption("jaicp_control_token"))
        yield _prepare(JaicpMock(backend, url), request)
        return
    app = _app_for(request)
    if _OWN_APP not in request.node.stash:
        server = request.getfixturevalue("jaicp_server")
        yield _prepare(JaicpMock.of_app(app, server.url), request)
        return
    with LiveServer(app) as server:
        yield _prepare(JaicpMock.of_app(app, server.url), request)


@pytest.fixture
def jaicp_offline(request: pytest.FixtureRequest, jaicp_hosts: tuple[str, ...]) -> Iterator[JaicpMock]:
    """The mock in-process: calls to ``jaicp_hosts`` never touch a socket (``jaicp_offline.clients`` names the
    clients covered: requests, httpx, aiohttp, urllib).

    It always runs in this process, also with ``--jaicp-url`` (which applies to ``jaicp`` only).
    """
    with intercept(app=_app_for(request), hosts=jaicp_hosts) as mock:
        yield _prepare(mock, request)
