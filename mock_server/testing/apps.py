"""Apps for tests, and a live one on a free port: :func:`build_app` and :func:`serve`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flask import Flask

from mock_server.app import create_app
from mock_server.clock import Clock, parse_instant
from mock_server.config import MockConfig, demo_config
from mock_server.context import state_of
from mock_server.live import LiveServer
from mock_server.testing.handle import JaicpMock


def build_app(config: MockConfig | None = None, *, data_dir: str | Path | None = None,
              now: datetime | str | None = None, frozen: bool = True) -> Flask:
    """An app for tests: the demo configuration unless given, its clock at ``now`` (frozen) if given."""
    clock = None
    if now is not None:
        clock = Clock(parse_instant(now) if isinstance(now, str) else now, frozen=frozen)
    return create_app(config or demo_config(), data_dir=data_dir, clock=clock)


@contextlib.contextmanager
def serve(config: MockConfig | None = None, *, app: Flask | None = None, data_dir: str | Path | None = None,
          now: datetime | str | None = None, host: str = "127.0.0.1", port: int = 0) -> Iterator[JaicpMock]:
    """A live mock on a free port for the block's duration."""
    own_app = app is None
    app = app or build_app(config, data_dir=data_dir, now=now)
    try:
        with LiveServer(app, host, port) as server:
            yield JaicpMock.of_app(app, server.url)
    finally:
        if own_app:
            state_of(app).close()
