"""jaicp-mock's partitions on Spark: each executor makes its partitions' rows (``mapInPandas``).

    python examples/scale/spark_partitions.py OUTPUT [--days 365] [--sessions 1000000] [--chunks 8]

Every executor needs ``jaicp-mock[scale]`` installed (the same version: the bytes depend on it). A partition
travels as its pickled values (a few hundred bytes); its rows are made where it lands.
"""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Iterator
from datetime import date
from typing import Any

from generators import AccountSpec
from generators.partitions import Request
from generators.tables import arrow_schema, partition_table

SPARK_TYPES = {"string": "string", "timestamp[ms, tz=UTC]": "timestamp", "int64": "bigint", "bool": "boolean"}


def spark_schema() -> str:
    """The 19 typed columns as a Spark DDL string, from the Arrow schema (the one contract)."""
    return ", ".join(f"{field.name} {SPARK_TYPES[str(field.type)]}" for field in arrow_schema())


def make_rows(frames: Iterator[Any]) -> Iterator[Any]:
    """mapInPandas: pickled partitions in, their rows out as pandas frames."""
    for frame in frames:
        for payload in frame["partition"]:
            yield partition_table(pickle.loads(payload)).to_pandas()


def rows_of(spark: Any, request: Request) -> Any:
    """A Spark DataFrame of the request's rows, one Spark partition per jaicp-mock partition."""
    parts = request.partitions()
    tasks = spark.createDataFrame([(pickle.dumps(part),) for part in parts], "partition binary")
    return tasks.repartition(len(parts)).mapInPandas(make_rows, schema=spark_schema())


def main() -> None:
    from pyspark.sql import SparkSession, functions

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="a folder or URL for Parquet partitioned by date")
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2026, 1, 1))
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--chunks", type=int, default=8)
    args = parser.parse_args()
    spark = SparkSession.builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
    request = Request(AccountSpec(1234567, sessions_per_day=args.sessions), args.first_day, days=args.days,
                      chunks=args.chunks)
    rows = rows_of(spark, request).withColumn("date", functions.to_date("msg_rt"))
    rows.write.partitionBy("date").parquet(args.output)


if __name__ == "__main__":
    main()
