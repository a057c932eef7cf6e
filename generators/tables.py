"""Partitions as Arrow tables and Parquet files, typed by the column kinds of ``generators.schema``.

The generating thread's share of the cost is what a job waits for, so it does as little as it can:
- it takes the rows BATCH_ROWS at a time, while they are still in the CPU's caches, and joins each column's
  texts with the unit separator (U+001F) into one UTF-8 string: one call per column, none per text;
- one Arrow call (``split_pattern``) splits a row group's joined columns back into string arrays, and Arrow's
  compute functions type them (``strptime``, a cast, a comparison); with the encoding this is C++ that releases
  the GIL, so by default it runs on a second thread while the first makes the next rows (``encode_apart``).
A batch with a text that holds the separator (or a value that is not a text) is handed to Arrow row by row
instead: the same values, slower. No CSV text is made, so the Parquet holds exactly the values of the CSV file
without paying for writing and reading it.
"""

from __future__ import annotations

import contextlib
import functools
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, BinaryIO, TypeAlias

from generators.csvformat import PROGRESS_STEP, batches
from generators.extras import require
from generators.partitions import Partition, PartitionStats, partition_rows, stats_of
from generators.schema import COLUMNS, DATETIME_FORMAT, FALSE, TRUE, Kind
from generators.sessions import Row

if TYPE_CHECKING:
    import pyarrow as pa

ROW_GROUP_ROWS = 32_768
"""Rows per Parquet row group."""
BATCH_ROWS = 256
"""Rows joined at once, while they are still in the CPU's caches: merely holding rows in lists of 8,192 cost
about 1.1 us a row more than in lists of 128 (docs/scale.md, "Where the CPU goes")."""
SEPARATOR = "\x1f"
"""Between a column's texts once joined: the unit separator, a control character no log text needs (a batch
that has one anyway goes to Arrow row by row). In UTF-8 its byte is never part of another character's."""
SINK_BUFFER_BYTES = 4 << 20
"""The encoding thread writes into Arrow's own buffer of this size, so that it takes the GIL (to write to the
Python target) once per this many bytes rather than for every page."""
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
    """A row as Arrow sees it: a struct of 19 texts (for the batches handed over row by row)."""
    pa = _pyarrow()
    return pa.struct([pa.field(name, pa.string(), nullable=False) for name in arrow_schema().names])


class _Joined:
    """A run of rows kept as each column's texts, UTF-8, joined by SEPARATOR: the Python side's whole part in
    making Arrow columns. ``columns`` splits them back, in C++."""

    __slots__ = ("rows", "texts")

    def __init__(self) -> None:
        self.texts = [bytearray() for _ in COLUMNS]
        self.rows = 0

    def add(self, joined: list[bytes], rows: int) -> None:
        for texts, more in zip(self.texts, joined, strict=True):
            if self.rows:
                texts.extend(_SEPARATOR_BYTE)
            texts.extend(more)
        self.rows += rows

    def columns(self) -> list[pa.Array]:
        """The 19 text columns: each column's bytes seen by Arrow in place (no copy) as one string, all 19 cut
        at the separators by one Arrow call, and typed as ``string`` by another."""
        pa = _pyarrow()
        whole = pa.chunked_array([_one_string(pa, texts) for texts in self.texts], pa.large_string())
        parts = _compute().split_pattern(whole, SEPARATOR)
        return pa.chunked_array([part.values for part in parts.chunks]).cast(pa.string()).chunks


def _one_string(pa: Any, texts: bytearray) -> pa.Array:
    """An array of one string whose bytes are ``texts`` (not copied; it must not change while the array lives).
    Large (64-bit offsets): a row group's column may pass 2 GiB in principle."""
    return pa.LargeStringArray.from_buffers(1, pa.py_buffer(array("q", (0, len(texts)))), pa.py_buffer(texts))


_SEPARATOR_BYTE = SEPARATOR.encode()
_Piece: TypeAlias = "_Joined | pa.StructArray"  # a run of joined batches, or a batch Arrow took row by row


def _joined(batch: Sequence[Row]) -> list[bytes] | None:
    """Each column's texts joined and encoded; None if a row is not 19 texts or a text holds the separator
    (the count of separators tells: UTF-8 has that byte for that character only)."""
    if set(map(len, batch)) != {len(COLUMNS)}:
        return None
    try:
        joined = [SEPARATOR.join(column).encode() for column in zip(*batch, strict=True)]
    except (TypeError, UnicodeEncodeError):  # not a text, or a lone surrogate: Arrow names the value
        return None
    separators = len(batch) - 1
    return None if any(texts.count(_SEPARATOR_BYTE) != separators for texts in joined) else joined


def _text_groups(rows: Iterator[Row], on_progress: Callable[[int], object] | None) -> Iterator[list[_Piece]]:
    """Row groups as pieces (runs of joined batches, or batches taken row by row), not yet split or typed:
    what must be done holding the GIL."""
    size = min(BATCH_ROWS, ROW_GROUP_ROWS)
    per_group = ROW_GROUP_ROWS // size
    report = _Progress(on_progress)
    group: list[_Piece] = []
    for count, batch in enumerate(batches(rows, size), start=1):
        joined = _joined(batch)
        if joined is None:
            group.append(_pyarrow().array(batch, _row_type()))
        else:
            if not group or not isinstance(group[-1], _Joined):
                group.append(_Joined())
            group[-1].add(joined, len(batch))
        report.add(len(batch))
        if count % per_group == 0:
            yield group
            group = []
    if group:
        yield group
    report.flush()


class _Progress:
    """Counts rows and reports them every PROGRESS_STEP, as the CSV writer does, rather than every batch."""

    def __init__(self, on_progress: Callable[[int], object] | None) -> None:
        self._report = on_progress
        self._unreported = 0

    def add(self, rows: int) -> None:
        self._unreported += rows
        if self._unreported >= PROGRESS_STEP:
            self.flush()

    def flush(self) -> None:
        if self._report is not None and self._unreported:
            self._report(self._unreported)
        self._unreported = 0


def _text_columns(piece: _Piece) -> list[pa.Array]:
    return piece.columns() if isinstance(piece, _Joined) else piece.flatten()


def _typed(texts: list[pa.Array]) -> pa.RecordBatch:
    """Text columns typed by their kinds (Arrow's kernels, which release the GIL)."""
    typed = [convert(column, target) for column, (convert, target) in zip(texts, _column_plan(), strict=True)]
    return _pyarrow().RecordBatch.from_arrays(typed, schema=arrow_schema())


def _table(group: Sequence[_Piece]) -> pa.Table:
    """A row group's pieces split into columns and typed, as one table."""
    batches_ = [_typed(_text_columns(piece)) for piece in group]
    return _pyarrow().Table.from_batches(batches_, schema=arrow_schema())


def _row_groups(rows: Iterator[Row], on_progress: Callable[[int], object] | None) -> Iterator[pa.Table]:
    return map(_table, _text_groups(rows, on_progress))


def row_groups(partition: Partition, on_progress: Callable[[int], object] | None = None) -> Iterator[pa.Table]:
    """The partition's rows as typed tables of up to ROW_GROUP_ROWS rows each."""
    return _row_groups(partition_rows(partition), on_progress)


def partition_table(partition: Partition) -> pa.Table:
    """The partition as one Arrow table (for engines that take tables or pandas frames: ``.to_pandas()``)."""
    pa = _pyarrow()
    return pa.concat_tables([arrow_schema().empty_table(), *row_groups(partition)])


def write_parquet(partition: Partition, target: BinaryIO, on_progress: Callable[[int], object] | None = None,
                  *, encode_apart: bool = True) -> PartitionStats:
    """The partition as one Parquet file to a binary stream, a row group per ROW_GROUP_ROWS rows."""
    rows = write_parquet_rows(partition_rows(partition), target, on_progress, encode_apart=encode_apart)
    return stats_of(partition, rows)


def write_parquet_rows(rows: Iterator[Row], target: BinaryIO, on_progress: Callable[[int], object] | None = None,
                       *, encode_apart: bool = True) -> int:
    """Rows as one Parquet file to a binary stream (``write_csv_rows``' twin for Parquet); returns how many rows.

    ``encode_apart`` (the default): split, type and encode each row group on a second thread while this one
    makes the next rows. With a core free that made Parquet 1.02-1.035x CSV's rows/s (``encode_apart=False``,
    all in this thread: 0.98x) for about 3% more CPU than one thread, which is what counts when every core is
    busy (``benchmarks/bench_scale.py``; the figures are in docs/scale.md)."""
    groups = _text_groups(rows, on_progress)
    if encode_apart:
        return _write_groups_apart(groups, target)
    with _parquet_writer(target) as writer:
        return sum(_write_group(writer, group) for group in groups)


def _parquet_writer(target: Any) -> Any:
    pq = require("pyarrow.parquet", "Parquet output")
    return pq.ParquetWriter(target, arrow_schema(), compression=PARQUET_COMPRESSION,
                            write_statistics=list(STATISTICS_COLUMNS), use_dictionary=list(DICTIONARY_COLUMNS),
                            dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES)


def _write_group(writer: Any, group: Sequence[_Piece]) -> int:
    """Split, type and encode a row group: no Python objects are made, so another thread can run meanwhile."""
    table = _table(group)
    writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    return int(table.num_rows)


def _write_groups_apart(groups: Iterable[Sequence[_Piece]], target: BinaryIO) -> int:
    """Each row group split, typed and written on one background thread while this thread joins the next.
    One write at a time is in flight (waited for before the next is handed over), so at most two row groups
    are held, the writer is never used by two threads at once, and its error is raised here at the next
    hand-over or at the end. If the rows fail, leaving the block waits for the write in flight: no thread
    outlives the call. The pages go through Arrow's buffer (SINK_BUFFER_BYTES), flushed to the target
    before returning; on an error too, as far as the target takes it."""
    pa = _pyarrow()
    sink = pa.BufferedOutputStream(pa.PythonFile(target, mode="w"), SINK_BUFFER_BYTES)
    count = 0
    try:
        # The writer outside the pool: the pool's exit waits for the write in flight before the writer closes.
        with _parquet_writer(sink) as writer, ThreadPoolExecutor(1, thread_name_prefix="parquet-encode") as encoder:
            pending: Future[int] | None = None
            for group in groups:
                count += pending.result() if pending is not None else 0
                pending = encoder.submit(_write_group, writer, group)
            count += pending.result() if pending is not None else 0
        sink.detach()  # flushed; the target stays open (it is the caller's)
    except BaseException:
        _release(sink)
        raise
    return count


def _release(sink: Any) -> None:
    """After an error: flush what was written and let go of the target, if the target takes it; if it fails
    to, close the buffer (and the broken target) so that nothing is left to flush when it is freed. The error
    being raised says more than this one. (After a detach that worked, this one does nothing.)"""
    try:
        sink.detach()
    except OSError:
        with contextlib.suppress(OSError):
            sink.close()
