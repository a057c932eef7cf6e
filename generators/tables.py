"""Partitions as Arrow tables and Parquet files, typed by the column kinds of ``generators.schema``.

Rows are made as texts (the CSV's own values) and typed in bulk by Arrow's compute kernels: a date-time
column is parsed once per batch in C++, not per value in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from generators.extras import require
from generators.partitions import Partition, PartitionStats, batches, partition_rows, stats_of
from generators.schema import COLUMNS, DATETIME_FORMAT, TRUE, Kind

if TYPE_CHECKING:
    import pyarrow as pa

BATCH_ROWS = 65_536
"""Rows per record batch (and Parquet row group): memory stays flat, row groups stay a usual size."""
PARQUET_COMPRESSION = "snappy"


def _pyarrow() -> Any:
    return require("pyarrow", "Arrow tables and Parquet")


def arrow_schema() -> pa.Schema:
    """The 19 columns typed: date-times as UTC timestamps, counts as int64, flags as booleans. Timestamps are in
    milliseconds (whole seconds in value): Parquet has no seconds unit, and a file should read back as written."""
    pa = _pyarrow()
    types = {Kind.TEXT: pa.string(), Kind.DATETIME: pa.timestamp("ms", tz="UTC"), Kind.INTEGER: pa.int64(),
             Kind.BOOLEAN: pa.bool_()}
    return pa.schema([pa.field(column.name, types[column.kind], nullable=False) for column in COLUMNS])


def _typed(texts: Any, kind: Kind, target: Any) -> Any:
    pc = require("pyarrow.compute", "Arrow tables and Parquet")
    converters = {
        Kind.TEXT: lambda: texts,
        Kind.DATETIME: lambda: pc.strptime(texts, format=DATETIME_FORMAT, unit="s").cast(target),
        Kind.INTEGER: lambda: pc.cast(texts, target),
        Kind.BOOLEAN: lambda: pc.equal(texts, TRUE),
    }
    return converters[kind]()


def record_batches(partition: Partition, on_progress: Callable[[int], object] | None = None
                   ) -> Iterator[pa.RecordBatch]:
    """The partition's rows as typed record batches of up to BATCH_ROWS rows."""
    pa = _pyarrow()
    schema = arrow_schema()
    for batch in batches(partition_rows(partition), BATCH_ROWS):
        columns = [_typed(pa.array(values, pa.string()), column.kind, schema.field(index).type)
                   for index, (column, values) in enumerate(zip(COLUMNS, zip(*batch, strict=True), strict=True))]
        if on_progress is not None:
            on_progress(len(batch))
        yield pa.RecordBatch.from_arrays(columns, schema=schema)


def partition_table(partition: Partition) -> pa.Table:
    """The partition as one Arrow table (for engines that take tables or pandas frames: ``.to_pandas()``)."""
    pa = _pyarrow()
    return pa.Table.from_batches(list(record_batches(partition)), schema=arrow_schema())


def write_parquet(partition: Partition, target: BinaryIO,
                  on_progress: Callable[[int], object] | None = None) -> PartitionStats:
    """The partition as one Parquet file to a binary stream, a row group per batch."""
    pq = require("pyarrow.parquet", "Parquet output")
    rows = 0
    with pq.ParquetWriter(target, arrow_schema(), compression=PARQUET_COMPRESSION) as writer:
        for batch in record_batches(partition, on_progress):
            writer.write_batch(batch)
            rows += batch.num_rows
    return stats_of(partition, rows)
