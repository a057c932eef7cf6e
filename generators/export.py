"""One generator, many outlets: a day file as bytes, to a stream, or atomically to a path, on N processes.

With ``workers > 1`` the day is cut into partitions (time windows, ``generators.partitions``); a local process
pool renders them and they are joined in order. Every session is seeded on its own, so the bytes are
identical for any number of workers.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from generators.csvformat import BUFFER_SIZE, atomic_output, write_csv_rows
from generators.model import DEFAULT_SEED, AccountSpec, Dialect
from generators.partitions import PartitionStats, Request
from generators.sessions import DayPlan

WINDOWS_PER_WORKER = 2
"""Windows cut where traffic is even (DayPlan.balanced_edges); a second one per worker absorbs the estimate's
error, while few cuts keep the sessions that span one (drawn by both windows) few."""


@dataclass(frozen=True, slots=True)
class DayStats:
    rows: int
    sessions: int
    """Sessions in the file: those begun that day and those come back from earlier days."""
    returning: int
    """Of those, the sessions begun on earlier days."""


def write_day(target: BinaryIO, account: AccountSpec, day: date, *, version: int = 1,
              seed: int = DEFAULT_SEED, dialect: Dialect = Dialect(), workers: int = 1,
              on_progress: Callable[[int], object] | None = None) -> DayStats:
    """Write one day's file (header and rows) to a binary stream. ``on_progress`` gets row counts as they go."""
    if workers < 1:
        raise ValueError("workers must be >= 1")
    if workers == 1:  # a plan of its own, not the partitions' per-thread one: a server thread keeps nothing
        plan = DayPlan(account, day, version=version, seed=seed, channel_labels=dialect.channel_labels)
        rows = write_csv_rows(plan.rows(), target, dialect, header=True, on_progress=on_progress)
        return DayStats(rows=rows, sessions=plan.session_count, returning=len(plan.returning))
    from generators.engines import render_to_file

    request = Request(account, day, versions=(version,), chunks=workers * WINDOWS_PER_WORKER, seed=seed,
                      dialect=dialect)
    parts: list[PartitionStats] = []
    with tempfile.TemporaryDirectory(prefix="jaicp-mock-") as folder, \
            ProcessPoolExecutor(max_workers=workers) as pool:
        paths = [os.path.join(folder, f"{part.chunk:04d}.csv") for part in request.partitions()]
        for path, stats in zip(paths, pool.map(render_to_file, request.partitions(), paths), strict=True):
            with open(path, "rb") as chunk:
                shutil.copyfileobj(chunk, target, BUFFER_SIZE)
            os.unlink(path)
            parts.append(stats)
            if on_progress is not None:
                on_progress(stats.rows)
    return DayStats(rows=sum(part.rows for part in parts), sessions=parts[-1].sessions,
                    returning=parts[-1].returning)


def write_day_file(path: str | os.PathLike, account: AccountSpec, day: date, **options) -> DayStats:
    """Write one day's file to ``path`` atomically: readers see the old file or the whole new one."""
    with atomic_output(Path(path)) as stream:
        return write_day(stream, account, day, **options)


def day_bytes(account: AccountSpec, day: date, **options) -> bytes:
    """One day's file in memory: for small days, tests and the pytest plugin's expectations."""
    buffer = io.BytesIO()
    write_day(buffer, account, day, **options)
    return buffer.getvalue()
