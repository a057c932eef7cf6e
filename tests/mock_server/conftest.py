"""Fixtures for the mock server's tests: an app with its own data dir on a frozen clock, a client, a live server.

Every test starts from a fresh data dir under tmp_path; nothing sleeps: the clock is moved instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import MockConfig, parse_config
from mock_server.live import LiveServer
from mock_server.state import MockState
from tests.support import CONFIG_TOML, T0


@pytest.fixture
def config() -> MockConfig:
    return parse_config(CONFIG_TOML, "test.toml")


@pytest.fixture
def app(config, tmp_path):
    application = create_app(config, data_dir=tmp_path / "data", clock=Clock(T0, frozen=True))
    yield application
    state_of(application).close()


@pytest.fixture
def state(app) -> MockState:
    return state_of(app)


@pytest.fixture
def clock(state) -> Clock:
    return state.clock


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live(app) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server
