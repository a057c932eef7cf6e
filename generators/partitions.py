"""A request's data cut into partitions: pure, seeded units that any engine can map (Dask, a process pool,
Spark's ``mapInPandas``, Ray).

A partition is one time window (a *chunk*) of one day file of one version. It holds everything it needs in a
few small, picklable values, so it can be made alone, in any order, on any machine; a day's partitions
joined in chunk order are that day's file, byte for byte (chunk 0 carries the header). Chunks are cut where
the day's expected traffic is even (``DayPlan.balanced_edges``), so they take about equal times.
"""

from __future__ import annotations

import io
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import BinaryIO

from generators.csvformat import write_csv_rows
from generators.model import DEFAULT_SEED, AccountSpec, Dialect
from generators.sessions import DayPlan, Row


@dataclass(frozen=True, slots=True)
class Partition:
    """Chunk ``chunk`` of ``chunks`` of one day file."""

    account: AccountSpec
    day: date
    version: int = 1
    chunk: int = 0
    chunks: int = 1
    seed: int = DEFAULT_SEED
    dialect: Dialect = Dialect()

    def __post_init__(self) -> None:
        if self.chunks < 1 or not 0 <= self.chunk < self.chunks:
            raise ValueError(f"chunk {self.chunk} of {self.chunks}: chunks >= 1 and 0 <= chunk < chunks")
        if self.version < 1:
            raise ValueError("versions start at 1")

    @property
    def day_key(self) -> tuple:
        """What the day's plan depends on: every chunk of a day shares it (and a process, its plan)."""
        return self.account, self.day, self.version, self.seed, self.dialect.channel_labels


@dataclass(frozen=True, slots=True)
class Request:
    """What to generate: ``days`` days from ``first_day``, each in every one of ``versions``, cut into
    ``chunks`` partitions per day."""

    account: AccountSpec
    first_day: date
    days: int = 1
    versions: tuple[int, ...] = (1,)
    chunks: int = 1
    seed: int = DEFAULT_SEED
    dialect: Dialect = field(default_factory=Dialect)

    def __post_init__(self) -> None:
        if self.days < 1 or self.chunks < 1 or not self.versions:
            raise ValueError("a request needs days >= 1, chunks >= 1 and at least one version")

    @property
    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=offset) for offset in range(self.days)]

    def partitions(self) -> list[Partition]:
        """Every partition, day by day, version by version, chunk by chunk (the order of the files' bytes)."""
        return [Partition(self.account, day, version, chunk, self.chunks, self.seed, self.dialect)
                for day in self.day_list for version in self.versions for chunk in range(self.chunks)]


@dataclass(frozen=True, slots=True)
class PartitionStats:
    rows: int
    sessions: int
    """Sessions in the partition's whole day file (the day's plan counts them, not the chunk)."""
    returning: int


_cache = threading.local()
"""Per thread (the mock server renders days on several threads; a plan is not to be shared by two)."""


def day_plan(partition: Partition) -> tuple[DayPlan, array]:
    """The partition's day plan and every session's start, made once per process and day: a process that
    renders several chunks of a day plans the day once."""
    found = getattr(_cache, "plan", None)
    if found is None or found[0] != partition.day_key:  # one day at a time: memory stays flat over a year
        account, day, version, seed, labels = partition.day_key
        plan = DayPlan(account, day, version=version, seed=seed, channel_labels=labels)
        found = _cache.plan = (partition.day_key, plan, plan.starts())
    return found[1], found[2]


def partition_rows(partition: Partition) -> Iterator[Row]:
    """The partition's rows (19 texts each), in log order."""
    plan, starts = day_plan(partition)
    edges = plan.balanced_edges(partition.chunks)
    return plan.rows(edges[partition.chunk], edges[partition.chunk + 1], starts)


def stats_of(partition: Partition, rows: int) -> PartitionStats:
    plan, _ = day_plan(partition)
    return PartitionStats(rows, plan.session_count, len(plan.returning))


def write_partition(partition: Partition, target: BinaryIO,
                    on_progress: Callable[[int], object] | None = None) -> PartitionStats:
    """The partition's CSV bytes to a binary stream: the header first in chunk 0 only."""
    rows = write_csv_rows(partition_rows(partition), target, partition.dialect, header=partition.chunk == 0,
                          on_progress=on_progress)
    return stats_of(partition, rows)


def partition_bytes(partition: Partition) -> bytes:
    """The partition's CSV bytes in memory."""
    buffer = io.BytesIO()
    write_partition(partition, buffer)
    return buffer.getvalue()
