"""Partitions as Arrow tables and Parquet files, typed by the column kinds of ``generators.schema``.

A row group's rows are written as the platform's CSV into memory, then read by Arrow's CSV reader with every
column's type given: the Parquet holds exactly the values of the CSV file, and the typing (date-times above
all) is done in C++ rather than value by value in Python, which keeps Parquet as fast to make as CSV.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, BinaryIO

from generators.extras import require
from generators.model import Dialect
from generators.partitions import Partition, PartitionStats, partition_rows, stats_of, write_csv_rows
from generators.schema import COLUMN_NAMES, COLUMNS, DATETIME_FORMAT, FALSE, TRUE, Kind

if TYPE_CHECKING:
    import pyarrow as pa

ROW_GROUP_ROWS = 32_768
"""Rows per Parquet row group (and per table read at once: about 10 MB of CSV in memory)."""
PARQUET_COMPRESSION = "snappy"
_CSV = Dialect()


def _pyarrow() -> Any:
    return require("pyarrow", "Arrow tables and Parquet")


def arrow_schema() -> pa.Schema:
    """The 19 columns typed: date-times as UTC timestamps, counts as int64, flags as booleans. Timestamps are in
    milliseconds (whole seconds in value): Parquet has no seconds unit, and a file should read back as written."""
    pa = _pyarrow()
    types = {Kind.TEXT: pa.string(), Kind.DATETIME: pa.timestamp("ms", tz="UTC"), Kind.INTEGER: pa.int64(),
             Kind.BOOLEAN: pa.bool_()}
    return pa.schema([pa.field(column.name, types[column.kind], nullable=False) for column in COLUMNS])


@functools.cache
def _reader_options() -> dict[str, Any]:
    """Arrow's CSV reader set to the export's dialect, every column's type given, nothing read as null."""
    pa, csv = _pyarrow(), require("pyarrow.csv", "Arrow tables and Parquet")
    parsed = {field.name: pa.timestamp("s") if pa.types.is_timestamp(field.type) else field.type
              for field in arrow_schema()}  # the file's UTC wall-clock times; the zone is set by the cast after
    return {
        "read_options": csv.ReadOptions(column_names=list(COLUMN_NAMES), use_threads=False, block_size=1 << 26),
        "parse_options": csv.ParseOptions(delimiter=";", quote_char='"', double_quote=True, newlines_in_values=True),
        "convert_options": csv.ConvertOptions(column_types=parsed, timestamp_parsers=[DATETIME_FORMAT],
                                              true_values=[TRUE], false_values=[FALSE], strings_can_be_null=False,
                                              quoted_strings_can_be_null=False),
    }


def _csv_row_groups(partition: Partition, on_progress: Callable[[int], object] | None) -> Iterator[bytes]:
    """The partition's rows as CSV (no header), ROW_GROUP_ROWS rows at a time."""
    rows = partition_rows(partition)
    while True:
        buffer = io.BytesIO()
        if not write_csv_rows(itertools.islice(rows, ROW_GROUP_ROWS), buffer, _CSV, header=False,
                              on_progress=on_progress):
            return
        yield buffer.getvalue()


def _typed(data: bytes) -> pa.Table:
    csv = require("pyarrow.csv", "Arrow tables and Parquet")
    return csv.read_csv(io.BytesIO(data), **_reader_options()).cast(arrow_schema())


def row_groups(partition: Partition, on_progress: Callable[[int], object] | None = None) -> Iterator[pa.Table]:
    """The partition's rows as typed tables of up to ROW_GROUP_ROWS rows each."""
    return map(_typed, _csv_row_groups(partition, on_progress))


def partition_table(partition: Partition) -> pa.Table:
    """The partition as one Arrow table (for engines that take tables or pandas frames: ``.to_pandas()``)."""
    pa = _pyarrow()
    return pa.concat_tables([arrow_schema().empty_table(), *row_groups(partition)])


def write_parquet(partition: Partition, target: BinaryIO,
                  on_progress: Callable[[int], object] | None = None) -> PartitionStats:
    """The partition as one Parquet file to a binary stream, a row group per ROW_GROUP_ROWS rows.

    Arrow types and encodes a row group on a second thread while Python makes the next one's rows (Arrow
    releases the GIL): with a core to spare, Parquet costs no more time than CSV. One group waits at most.
    """
    pq = require("pyarrow.parquet", "Parquet output")
    rows = 0

    def write_group(data: bytes) -> int:
        table = _typed(data)
        writer.write_table(table)
        return table.num_rows

    with pq.ParquetWriter(target, arrow_schema(), compression=PARQUET_COMPRESSION) as writer, \
            ThreadPoolExecutor(1, thread_name_prefix="jaicp-mock-parquet") as encoder:
        pending: Future[int] | None = None
        for data in _csv_row_groups(partition, on_progress):
            if pending is not None:
                rows += pending.result()
            pending = encoder.submit(write_group, data)
        if pending is not None:
            rows += pending.result()
    return stats_of(partition, rows)
