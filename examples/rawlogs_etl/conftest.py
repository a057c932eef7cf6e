"""Fixtures of the example's own suite: every test runs against the live mock and against the in-process one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from etl import RawlogsClient, Warehouse

from mock_server.testing import JaicpMock


@pytest.fixture(params=["jaicp", "jaicp_offline"], ids=["live", "offline"])
def mock(request: pytest.FixtureRequest) -> JaicpMock:
    """The plugin's live mock (a real socket) or its in-process mode (no socket): the same app and state."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def sleeps() -> list[float]:
    """The backoff delays the client asked for, in order; nothing ever really sleeps."""
    return []


@pytest.fixture
def make_client(mock: JaicpMock, sleeps: list[float]) -> Callable[..., RawlogsClient]:
    """``make_client(login="analyst", password=None, **options)``: a client of the mock that records its sleeps."""

    def make(login: str = "analyst", password: str | None = None, **options) -> RawlogsClient:
        options.setdefault("sleep", sleeps.append)
        return RawlogsClient(mock.url, login, login if password is None else password, **options)

    return make


@pytest.fixture
def warehouse(tmp_path) -> Iterator[Warehouse]:
    with Warehouse(str(tmp_path / "rawlogs.sqlite")) as store:
        yield store
