"""Realistic, deterministic JAICP dialog-log data. Pure data: nothing here knows about HTTP or Flask.

The public surface::

    from generators import AccountSpec, ProjectSpec, Dialect, write_day, write_day_file, day_bytes

The hot modules run compiled (mypyc) when the install could build them; ``generators.compiled`` says which,
and ``JAICP_MOCK_PURE_PYTHON=1`` runs them from their sources.
"""

from generators.compiled import install_source_first, pure_python_requested

if pure_python_requested():  # before any module that may be compiled is imported
    install_source_first()

from generators.export import DayStats, day_bytes, write_day, write_day_file
from generators.model import DEFAULT_SEED, AccountSpec, Dialect, ProjectSpec
from generators.sessions import DayPlan, generate_day

__all__ = [
    "DEFAULT_SEED",
    "AccountSpec",
    "DayPlan",
    "DayStats",
    "Dialect",
    "ProjectSpec",
    "day_bytes",
    "generate_day",
    "write_day",
    "write_day_file",
]
