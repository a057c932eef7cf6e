"""The Spark recipe (examples/scale/spark_partitions.py) makes the same rows as the day files. pyspark comes with
the test extra and needs Java 17 or newer (.ci/run installs it): without them this is skipped, in CI it fails."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from generators import AccountSpec, day_bytes
from generators.csvformat import read_records
from generators.partitions import Request

if not os.environ.get("CI"):  # CI must run it: a missing pyspark or Java fails there
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 or newer", allow_module_level=True)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "scale" / "spark_partitions.py"


def _example():
    spec = importlib.util.spec_from_file_location("spark_partitions", EXAMPLE)
    module = importlib.util.module_from_spec(spec)  # not in sys.modules: Spark ships make_rows by value
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_spark_makes_the_rows_of_the_day_files(monkeypatch):
    from pyspark.sql import SparkSession

    # The workers run this interpreter (with this project installed), not the first python3 on PATH.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    example = _example()
    request = Request(AccountSpec(1234567, sessions_per_day=40), date(2026, 1, 1), days=2, chunks=2)
    spark = SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC").getOrCreate()
    try:
        frame = example.rows_of(spark, request).toPandas()
    finally:
        spark.stop()
    expected = [record for day in request.day_list for record in read_records(day_bytes(request.account, day))]
    assert len(frame) == len(expected)
    made = zip(frame["session_id"], frame["msg_rt"].dt.tz_localize("UTC"), frame["msg_question"],
               frame["msg_switched"], strict=True)
    # Spark gives no order across its partitions: the same rows, as a multiset
    assert Counter(made) == Counter((r.session_id, r.msg_rt, r.msg_question, r.msg_switched) for r in expected)
