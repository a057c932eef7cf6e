"""Optional dependencies: the ``scale`` extra (pyarrow, fsspec, dask, s3fs) is imported only when asked for."""

from __future__ import annotations

import importlib
from types import ModuleType

SCALE_INSTALL = "pip install 'jaicp-mock[scale]'"


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message says which extra brings it."""


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtra` naming the extra to install for ``purpose``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        missing = error.name or module
        raise MissingExtra(f"{purpose} needs {missing}, from the scale extra: {SCALE_INSTALL}") from None
