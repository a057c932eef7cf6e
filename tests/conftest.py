"""Shared fixtures for the generator, CSV, validator and CLI tests (tests/server has its own)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from generators.validate import Report, validate_file


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
