"""Which of the generator's modules run compiled, and a switch to run them all from their Python sources.

An install compiles the generator's hot modules with mypyc (``hatch_build.py``; the list is in pyproject.toml);
each compiled module's extension sits beside its ``.py`` file and Python imports it first. An edited source is
then not what runs until the next ``pip install -e .``. ``JAICP_MOCK_PURE_PYTHON=1`` loads every
``generators`` module from its source instead (the package installs :class:`SourceFirst` before importing
anything else): to try an edit without reinstalling, to debug with a Python debugger, or to measure the
compiled build against the sources. Both give the same bytes (tests compare them).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PURE_PYTHON_ENV = "JAICP_MOCK_PURE_PYTHON"
PACKAGE = "generators"
PACKAGE_DIR = Path(__file__).resolve().parent
MYPYC_SHARED = "__mypyc"
"""The suffix of the support library mypyc builds beside each compiled module."""


class SourceFirst(importlib.abc.MetaPathFinder):
    """Finds ``generators.*`` modules among ``.py`` sources only, ahead of the extension modules."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if path is None or not fullname.startswith(PACKAGE + "."):
            return None
        sources = (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)
        for folder in path:
            spec = importlib.machinery.FileFinder(folder, sources).find_spec(fullname)
            if spec is not None:
                return spec
        return None


def pure_python_requested() -> bool:
    return os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0")


def install_source_first() -> None:
    """Put :class:`SourceFirst` first on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, SourceFirst) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceFirst())


def is_compiled(module: ModuleType) -> bool:
    return (getattr(module, "__file__", None) or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def compiled_modules() -> list[str]:
    """The imported ``generators`` modules that run compiled (mypyc's shared ``*__mypyc`` libraries left out)."""
    return sorted(name for name, module in list(sys.modules.items())
                  if name.startswith(PACKAGE + ".") and not name.endswith(MYPYC_SHARED) and is_compiled(module))


def compiled_sources() -> dict[Path, Path]:
    """Each source with a compiled extension beside it, to that extension (mypyc's shared ``*__mypyc``
    libraries, which have no source of their own, left out)."""
    found = {}
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for extension in PACKAGE_DIR.rglob(f"*{suffix}"):
            stem = extension.name[: -len(suffix)]
            source = extension.with_name(stem + ".py")
            if source.is_file():
                found[source] = extension
    return found


def stale_extensions() -> list[Path]:
    """Sources edited after their extension was built: what runs is not what they say."""
    return sorted(source for source, extension in compiled_sources().items()
                  if source.stat().st_mtime > extension.stat().st_mtime)
