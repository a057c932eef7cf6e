"""Settings for the whole suite: the Hypothesis profiles (registered here once), the ``slow`` marker on every test
that runs a nested pytest session, and fixtures the generator tests share (tests/mock_server has its own).

``pytest -m "not slow"`` runs the fast set; CI runs everything. ``HYPOTHESIS_PROFILE=dev`` picks the quick
profile; tests that need more or fewer examples say so in their own ``@settings``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from generators.validate import Report, validate_file

settings.register_profile("default", deadline=None)
settings.register_profile("dev", deadline=None, max_examples=20, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs pytest inside pytest (the ``pytester`` fixture) takes seconds: mark it slow."""
    for item in items:
        if "pytester" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def validate_bytes():
    """``validate_bytes(data, name="04-03-2026.csv", **options) -> Report``: validate bytes written to a file.

    Session-scoped and free of per-test state, so Hypothesis tests can use it too.
    """

    def validate(data: bytes, name: str = "04-03-2026.csv", **options) -> Report:
        with tempfile.TemporaryDirectory(prefix="jaicp-test-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            return validate_file(path, **options)

    return validate
