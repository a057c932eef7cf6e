"""Realistic, deterministic JAICP dialog-log data. Pure data: nothing here knows about HTTP or Flask.

The public surface::

    from generators import AccountSpec, ProjectSpec, Dialect, write_day, write_day_file, day_bytes
"""

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
