"""One generator, many outlets: a day file as bytes, to a stream, or atomically to a path, on N processes.

With ``workers > 1`` the day is cut into time windows; each process renders whole windows (rows ordered by
msg_rt then session) and the windows are joined in order. Every session is seeded on its own, so the bytes
are identical for any number of workers.
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
from typing import BinaryIO, NamedTuple

from generators.csvformat import RowWriter, atomic_output, text_stream
from generators.model import DEFAULT_SEED, AccountSpec, Dialect
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


def _plan(account: AccountSpec, day: date, version: int, seed: int, dialect: Dialect) -> DayPlan:
    return DayPlan(account, day, version=version, seed=seed, channel_labels=dialect.channel_labels)


def write_day(target: BinaryIO, account: AccountSpec, day: date, *, version: int = 1,
              seed: int = DEFAULT_SEED, dialect: Dialect = Dialect(), workers: int = 1,
              on_progress: Callable[[int], object] | None = None) -> DayStats:
    """Write one day's file (header and rows) to a binary stream. ``on_progress`` gets row counts as they go."""
    if workers < 1:
        raise ValueError("workers must be >= 1")
    plan = _plan(account, day, version, seed, dialect)
    stream = text_stream(target)
    writer = RowWriter(stream, dialect)
    writer.header()
    if workers == 1:
        rows = 0
        step = 10_000
        iterator = plan.rows()
        while True:
            written = writer.write_all(_take(iterator, step))
            rows += written
            if on_progress is not None and written:
                on_progress(written)
            if written < step:
                break
        stream.flush()
        stream.detach()
        return DayStats(rows=rows, sessions=plan.session_count, returning=len(plan.returning))

    stream.flush()
    stream.detach()
    edges = plan.balanced_edges(workers * WINDOWS_PER_WORKER)
    windows = len(edges) - 1
    rows = 0
    window = None
    with tempfile.TemporaryDirectory(prefix="jaicp-mock-") as folder, \
            ProcessPoolExecutor(max_workers=workers) as pool:
        jobs = [(account, day, version, seed, dialect, edges[part], edges[part + 1],
                 os.path.join(folder, f"{part:04d}.csv")) for part in range(windows)]
        for window in pool.map(_render_window, jobs):
            with open(window.path, "rb") as chunk:
                shutil.copyfileobj(chunk, target, 1 << 20)
            os.unlink(window.path)
            rows += window.rows
            if on_progress is not None:
                on_progress(window.rows)
    # The workers know the day's sessions already; counting them here again would cost a serial plan.
    assert window is not None, "balanced_edges gives at least one window"
    return DayStats(rows=rows, sessions=window.sessions, returning=window.returning)


def _take(iterator, count: int):
    for _ in range(count):
        try:
            yield next(iterator)
        except StopIteration:
            return


_worker_cache: dict[tuple, tuple[DayPlan, list]] = {}


class _Window(NamedTuple):
    path: str
    rows: int
    sessions: int
    returning: int


def _render_window(job: tuple) -> _Window:
    account, day, version, seed, dialect, start, stop, path = job
    key = (account, day, version, seed, dialect.channel_labels)
    if key not in _worker_cache:  # one plan per process, shared by the windows it renders
        _worker_cache.clear()
        plan = _plan(account, day, version, seed, dialect)
        _worker_cache[key] = (plan, plan.extents())
    plan, extents = _worker_cache[key]
    with open(path, "wb") as raw:
        stream = text_stream(raw)
        count = RowWriter(stream, dialect).write_all(plan.rows(start, stop, extents))
        stream.flush()
    return _Window(path, count, plan.session_count, len(plan.returning))


def write_day_file(path: str | os.PathLike, account: AccountSpec, day: date, **options) -> DayStats:
    """Write one day's file to ``path`` atomically: readers see the old file or the whole new one."""
    with atomic_output(Path(path)) as stream:
        return write_day(stream, account, day, **options)


def day_bytes(account: AccountSpec, day: date, **options) -> bytes:
    """One day's file in memory: for small days, tests and the pytest plugin's expectations."""
    buffer = io.BytesIO()
    write_day(buffer, account, day, **options)
    return buffer.getvalue()
