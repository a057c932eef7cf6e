"""Partitions as Arrow tables and Parquet files, typed by the column kinds of ``generators.schema``.

A row group's rows (the tuples of texts the CSV writer formats) become one Arrow struct array of texts, its
fields the columns: texts stay as they are, the other kinds are typed from those texts by Arrow's compute
functions (``strptime``, a cast, a comparison), in C++ rather than value by value in Python. No CSV text is
made, so the Parquet holds exactly the values of the CSV file without paying for writing and reading it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, BinaryIO

from generators.csvformat import batches
from generators.extras import require
from generators.partitions import Partition, PartitionStats, partition_rows, stats_of
from generators.schema import COLUMNS, DATETIME_FORMAT, FALSE, TRUE, Kind
from generators.sessions import Row

if TYPE_CHECKING:
    import pyarrow as pa

ROW_GROUP_ROWS = 32_768
"""Rows per Parquet row group."""
BATCH_ROWS = 8_192
"""Rows handed to Arrow at once. Smaller batches cost more (1,024: 0.7-1.0 us a row more); 16,384 measured
0.05 us a row less (2% of Parquet's cost, within the noise) for ~15 MB more Python rows held, so not taken."""
PARQUET_COMPRESSION = "zstd"
"""Measured against snappy, lz4 and none: zstd (Arrow's level 1) costs snappy's CPU and makes half its bytes."""
STATISTICS_COLUMNS = tuple(column.name for column in COLUMNS if column.kind is not Kind.TEXT)
"""Min/max kept for the typed columns, which readers filter on (times above all); the texts' took 15% of the
encoding time and serve no filter."""
DICTIONARY_COLUMNS = tuple(column.name for column in COLUMNS if column.kind in (Kind.TEXT, Kind.INTEGER))
"""The times are in log order (msg_rt) or repeat within a session only: plain pages under zstd are smaller
(msg_rt: 1.1 B a row against 2.8) and cheaper to write than a dictionary. Texts and counts repeat enough; the
flags are bits (Parquet has no dictionary for booleans)."""
DICTIONARY_PAGE_BYTES = 4 << 20
"""Arrow's default (1 MB) is outgrown by a row group's answers, which then fall back to plain pages: 4 MB keeps
them a dictionary (answers 30% smaller, the file 45.6 -> 40.8 B a row with plain times) for no more CPU."""


def _pyarrow() -> Any:
    return require("pyarrow", "Arrow tables and Parquet")


def _compute() -> Any:
    return require("pyarrow.compute", "Arrow tables and Parquet")


@functools.cache
def arrow_schema() -> pa.Schema:
    """The 19 columns typed: date-times as UTC timestamps, counts as int64, flags as booleans. Timestamps are in
    milliseconds (whole seconds in value): Parquet has no seconds unit, and a file should read back as written."""
    pa = _pyarrow()
    types = {Kind.TEXT: pa.string(), Kind.DATETIME: pa.timestamp("ms", tz="UTC"), Kind.INTEGER: pa.int64(),
             Kind.BOOLEAN: pa.bool_()}
    return pa.schema([pa.field(column.name, types[column.kind], nullable=False) for column in COLUMNS])


def _as_text(texts: pa.Array, target: pa.DataType) -> pa.Array:
    return texts


def _as_datetime(texts: pa.Array, target: pa.DataType) -> pa.Array:
    """The export's UTC wall-clock texts; the zone and unit are set by the cast after."""
    return _compute().strptime(texts, format=DATETIME_FORMAT, unit="s").cast(target)


def _as_integer(texts: pa.Array, target: pa.DataType) -> pa.Array:
    return texts.cast(target)


def _as_boolean(texts: pa.Array, target: pa.DataType) -> pa.Array:
    """``true`` or ``false`` only: any other text is an error, as it would be for a reader of the CSV."""
    pc = _compute()
    flags = pc.equal(texts, TRUE)
    if not pc.all(pc.or_(flags, pc.equal(texts, FALSE))).as_py():
        raise ValueError(f"a flag that is neither {TRUE!r} nor {FALSE!r}")
    return flags


_TYPED: dict[Kind, Callable[[pa.Array, pa.DataType], pa.Array]] = {
    Kind.TEXT: _as_text, Kind.DATETIME: _as_datetime, Kind.INTEGER: _as_integer, Kind.BOOLEAN: _as_boolean,
}


@functools.cache
def _column_plan() -> tuple[tuple[Callable[[pa.Array, pa.DataType], pa.Array], pa.DataType], ...]:
    return tuple((_TYPED[column.kind], field.type) for column, field in zip(COLUMNS, arrow_schema(), strict=True))


@functools.cache
def _row_type() -> pa.DataType:
    """A row as Arrow sees it: a struct of 19 texts, so Arrow reads the tuples itself (no transposing in Python)."""
    pa = _pyarrow()
    return pa.struct([pa.field(name, pa.string(), nullable=False) for name in arrow_schema().names])


def _texts(rows: Sequence[tuple[str, ...]]) -> list[pa.Array]:
    """A batch's columns as Arrow string arrays (the part that needs the GIL)."""
    return _pyarrow().array(rows, _row_type()).flatten()


def _typed(texts: list[pa.Array]) -> pa.RecordBatch:
    """A batch's text columns typed by their kinds (Arrow's kernels, which release the GIL)."""
    typed = [convert(column, target) for column, (convert, target) in zip(texts, _column_plan(), strict=True)]
    return _pyarrow().RecordBatch.from_arrays(typed, schema=arrow_schema())


def _table(group: Sequence[list[pa.Array]]) -> pa.Table:
    """A row group's batches of texts, typed, as one table."""
    return _pyarrow().Table.from_batches([_typed(texts) for texts in group], schema=arrow_schema())


def _text_groups(rows: Iterator[Row], on_progress: Callable[[int], object] | None) -> Iterator[list[list[pa.Array]]]:
    """Row groups of batches of text columns, not yet typed: what must be done holding the GIL."""
    texts = _text_batches(rows, on_progress)
    while group := list(itertools.islice(texts, max(1, ROW_GROUP_ROWS // BATCH_ROWS))):
        yield group


def _text_batches(rows: Iterator[Row], on_progress: Callable[[int], object] | None) -> Iterator[list[pa.Array]]:
    for batch in batches(rows, BATCH_ROWS):
        yield _texts(batch)
        if on_progress is not None:
            on_progress(len(batch))


def _row_groups(rows: Iterator[Row], on_progress: Callable[[int], object] | None) -> Iterator[pa.Table]:
    return map(_table, _text_groups(rows, on_progress))


def row_groups(partition: Partition, on_progress: Callable[[int], object] | None = None) -> Iterator[pa.Table]:
    """The partition's rows as typed tables of up to ROW_GROUP_ROWS rows each (chunked by BATCH_ROWS)."""
    return _row_groups(partition_rows(partition), on_progress)


def partition_table(partition: Partition) -> pa.Table:
    """The partition as one Arrow table (for engines that take tables or pandas frames: ``.to_pandas()``)."""
    pa = _pyarrow()
    return pa.concat_tables([arrow_schema().empty_table(), *row_groups(partition)])


def write_parquet(partition: Partition, target: BinaryIO, on_progress: Callable[[int], object] | None = None,
                  *, encode_apart: bool = False) -> PartitionStats:
    """The partition as one Parquet file to a binary stream, a row group per ROW_GROUP_ROWS rows."""
    rows = write_parquet_rows(partition_rows(partition), target, on_progress, encode_apart=encode_apart)
    return stats_of(partition, rows)


def write_parquet_rows(rows: Iterator[Row], target: BinaryIO, on_progress: Callable[[int], object] | None = None,
                       *, encode_apart: bool = False) -> int:
    """Rows as one Parquet file to a binary stream (``write_csv_rows``' twin for Parquet); returns how many rows.

    ``encode_apart``: type and encode each row group on a second thread while this one makes the next. Off by
    default: it takes 0.6-1.1 us a row off this thread (Parquet's cost there 0.82-0.93x CSV's writer's) but
    this thread then waits 0.4-0.55 us a row (most likely for the GIL), for 4-5% more CPU; even with a core free,
    Parquet was 0.965-0.971x CSV's rows/s with it, 0.974x without (``benchmarks/bench_scale.py``; the figures
    are in docs/scale.md). Kept as a switch to measure it again on other machines."""
    groups = _text_groups(rows, on_progress)
    return (_write_groups_apart if encode_apart else _write_groups)(groups, target)


def _parquet_writer(target: BinaryIO) -> Any:
    pq = require("pyarrow.parquet", "Parquet output")
    return pq.ParquetWriter(target, arrow_schema(), compression=PARQUET_COMPRESSION,
                            write_statistics=list(STATISTICS_COLUMNS), use_dictionary=list(DICTIONARY_COLUMNS),
                            dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES)


def _write_group(writer: Any, group: Sequence[list[pa.Array]]) -> int:
    """Type a row group and encode it: no Python objects are made, so another thread can run meanwhile."""
    table = _table(group)
    writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    return int(table.num_rows)


def _write_groups(groups: Iterable[Sequence[list[pa.Array]]], target: BinaryIO) -> int:
    with _parquet_writer(target) as writer:
        return sum(_write_group(writer, group) for group in groups)


def _write_groups_apart(groups: Iterable[Sequence[list[pa.Array]]], target: BinaryIO) -> int:
    """Each row group typed and written on one background thread while this thread converts the next. One
    write at a time is in flight (waited for before the next is handed over), so at most two row groups are
    held, the writer is never used by two threads at once, and its error is raised here at the next hand-over
    or at the end. If the rows fail, leaving the block waits for the write in flight: no thread outlives the
    call."""
    count = 0
    # The writer outside the pool: the pool's exit waits for the write in flight before the writer closes.
    with _parquet_writer(target) as writer, ThreadPoolExecutor(1, thread_name_prefix="parquet-encode") as encoder:
        pending: Future[int] | None = None
        for group in groups:
            count += pending.result() if pending is not None else 0
            pending = encoder.submit(_write_group, writer, group)
        count += pending.result() if pending is not None else 0
    return count
