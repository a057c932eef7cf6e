"""A local mock of JAICP's raw-log export: the Flask app, its state, the CLI and the test helpers.

The public surface::

    from mock_server import create_app, state_of, MockConfig, load_config, demo_config, Clock
    from mock_server import JaicpMock, serve, intercept   # for test suites (see mock_server.testing)

Names are imported on first use, so ``import mock_server.clock`` does not load Flask.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import TYPE_CHECKING, Any

try:
    __version__ = importlib.metadata.version("jaicp-mock")
except importlib.metadata.PackageNotFoundError:  # run from a source tree that is not installed
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from mock_server.app import create_app
    from mock_server.clock import Clock
    from mock_server.config import MockConfig, demo_config, load_config
    from mock_server.context import state_of
    from mock_server.state import MockState
    from mock_server.testing import JaicpMock, intercept, serve

_HOMES = {
    "create_app": "mock_server.app",
    "state_of": "mock_server.context",
    "MockState": "mock_server.state",
    "Clock": "mock_server.clock",
    "MockConfig": "mock_server.config",
    "demo_config": "mock_server.config",
    "load_config": "mock_server.config",
    "JaicpMock": "mock_server.testing",
    "intercept": "mock_server.testing",
    "serve": "mock_server.testing",
}
__all__ = ["Clock", "JaicpMock", "MockConfig", "MockState", "create_app", "demo_config", "intercept", "load_config",
           "serve", "state_of"]
assert sorted(__all__) == sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
