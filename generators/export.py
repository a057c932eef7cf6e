"""One generator, many outlets: a day file as bytes, to a stream, or atomically to a path, on N processes.

With ``workers > 1`` the day is cut into time windows; each process renders whole windows (rows ordered by
msg_rt then session) and the windows are joined in order. Every session is seeded on its own, so the bytes
are identical for any number of workers.
"""

from __future__ import annotations

import heapq
import io
import itertools
import os
import shutil
import tempfile
from array import array
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
            written = writer.write_all(itertools.islice(iterator, step))
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
    day_key = (account, day, version, seed, dialect)
    with tempfile.TemporaryDirectory(prefix="jaicp-mock-") as folder, \
            ProcessPoolExecutor(max_workers=workers) as pool:
        shared = _shared_plan(pool, day_key, plan.new_sessions, workers)
        jobs = [(day_key, shared, edges[part], edges[part + 1], os.path.join(folder, f"{part:04d}.csv"))
                for part in range(windows)]
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


_worker_cache: dict[tuple, DayPlan] = {}


class _SharedPlan(NamedTuple):
    """The day's plan, made once in parts by the workers: every session's start, and what the parts resolved."""

    starts: array
    parts: tuple[tuple[int, tuple[bytes, array, array]], ...]


def _shared_plan(pool: ProcessPoolExecutor, day_key: tuple, new_sessions: int, workers: int) -> _SharedPlan:
    """Each worker plans a share of the sessions (the plan is serial work: split, it costs each a share). The
    last share also holds the sessions come back from earlier days, which only a worker's plan counts."""
    cuts: list[int | None] = [new_sessions * part // workers for part in range(workers)]
    cuts.append(None)
    parts = list(pool.map(_plan_part, [(day_key, first, stop) for first, stop in itertools.pairwise(cuts)]))
    merged = array("q", heapq.merge(*(starts for starts, _ in parts)))
    return _SharedPlan(merged, tuple((first or 0, known) for first, (_, known) in zip(cuts, parts, strict=False)))


def _day_plan(day_key: tuple) -> DayPlan:
    """One plan per process, shared by the parts and windows it renders."""
    plan = _worker_cache.get(day_key)
    if plan is None:
        _worker_cache.clear()
        account, day, version, seed, dialect = day_key
        plan = _worker_cache[day_key] = _plan(account, day, version, seed, dialect)
    return plan


def _plan_part(job: tuple) -> tuple[array, tuple[bytes, array, array]]:
    day_key, first, stop = job
    plan = _day_plan(day_key)
    stop = plan.session_count if stop is None else stop
    return plan.starts(first, stop), plan.known(first, stop)


class _Window(NamedTuple):
    path: str
    rows: int
    sessions: int
    returning: int


def _render_window(job: tuple) -> _Window:
    day_key, shared, start, stop, path = job
    plan = _day_plan(day_key)
    for first, known in shared.parts:
        plan.adopt(first, known)
    with open(path, "wb") as raw:
        stream = text_stream(raw)
        count = RowWriter(stream, day_key[4]).write_all(plan.rows(start, stop, shared.starts))
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
