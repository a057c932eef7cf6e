"""Engines: this process, a local process pool and Dask write the same bytes; the job's progress adds up; and
a real S3-compatible endpoint (moto's server, started here) takes CSV and Parquet that pandas reads back."""

from __future__ import annotations

import re
import sys
from datetime import date

import boto3
import pandas as pd
import pyarrow.parquet as pq
import pytest
import s3fs
from moto.server import ThreadedMotoServer

from generators import AccountSpec, ProjectSpec, day_bytes
from generators.engines import Quiet, auto_chunks, run_dask, run_job, run_objects
from generators.partitions import Request
from generators.progress import JobProgress
from generators.storage import Output, plan_objects
from generators.tables import arrow_schema
from mock_server.cli import main

MONDAY = date(2026, 3, 2)
ACCOUNT = AccountSpec(31337, sessions_per_day=90)
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_the_pool_joins_chunks_and_writes_whole_objects_with_the_same_bytes(tmp_path):
    request = Request(ACCOUNT, MONDAY, days=3, chunks=2)
    run_job(request, Output(str(tmp_path / "here")), workers=1)
    run_job(request, Output(str(tmp_path / "pool")), workers=2)  # 3 days of 2 chunks: joined by this process
    run_job(Request(ACCOUNT, MONDAY, days=3), Output(str(tmp_path / "whole")), workers=2)  # written by workers
    here = _files(tmp_path / "here")
    assert here == _files(tmp_path / "pool") == _files(tmp_path / "whole")
    assert here["03-03-2026.csv"] == day_bytes(ACCOUNT, date(2026, 3, 3))


def test_a_failed_file_stops_the_pool_and_leaves_nothing_partial(tmp_path):
    (tmp_path / "blocker").write_bytes(b"")
    request = Request(ACCOUNT, MONDAY, days=3, chunks=2)
    output = Output(str(tmp_path / "out"))
    objects = plan_objects(request, output)
    broken = [type(objects[0])(str(tmp_path / "blocker" / "02-03-2026.csv"), objects[0].partitions), *objects[1:]]
    with pytest.raises(OSError):
        run_objects(broken, output, workers=2)
    assert (tmp_path / "blocker").read_bytes() == b""
    written = list((tmp_path / "out").iterdir()) if (tmp_path / "out").exists() else []
    assert not [path for path in written if path.suffix == ".part" or path.name.startswith(".")]


def test_dask_writes_the_same_bytes_and_parquet(tmp_path):
    request = Request(ACCOUNT, MONDAY, days=2, chunks=2)
    expected = run_job(request, Output(str(tmp_path / "here")))
    objects = plan_objects(request, Output(str(tmp_path / "dask")))
    results = run_dask(objects, Output(str(tmp_path / "dask")), 2, Quiet(), processes=False)
    assert [stats.rows for stats in results] == [stats.rows for stats in expected]
    assert _files(tmp_path / "here") == _files(tmp_path / "dask")
    parquet = Output(str(tmp_path / "pq"), format="parquet")
    run_dask(plan_objects(request, parquet), parquet, 2, Quiet(), processes=False)
    assert pq.read_table(tmp_path / "pq").num_rows == sum(stats.rows for stats in expected)


def test_dask_on_a_terminal_shows_its_dashboard_and_its_own_bar(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    output = Output(str(tmp_path))
    objects = plan_objects(Request(ACCOUNT, MONDAY, days=2), output)
    progress = JobProgress(objects)
    run_dask(objects, output, 1, progress, processes=False)
    progress.close()
    out, err = capsys.readouterr()
    assert re.search(r"Dask dashboard: http://[^/]+:\d+/status", err)  # threads: the link names the host
    assert "100% Completed" in out
    assert progress.days_left == {MONDAY: 0, date(2026, 3, 3): 0}


def test_auto_chunks_give_each_worker_two_tasks():
    assert auto_chunks(10, 2) == 1
    assert auto_chunks(1, 2) == 4
    assert auto_chunks(3, 2) == 2
    assert auto_chunks(1, 1) == 1


def test_the_job_bar_counts_rows_and_days_and_corrects_its_estimate(tmp_path):
    request = Request(ACCOUNT, MONDAY, days=3, chunks=2)
    output = Output(str(tmp_path), format="parquet")
    objects = plan_objects(request, output)
    progress = JobProgress(objects)
    estimate = progress.bar.total
    progress.bar.total = 1  # a wrong estimate: the files done correct it
    results = run_objects(objects, output, progress=progress)
    rows = sum(stats.rows for stats in results)
    assert abs(estimate - rows) < rows / 3  # the first estimate, from the sessions alone, was near
    assert progress.bar.n == rows
    assert progress.bar.total == rows  # every file done: the estimate became the count
    assert progress.bar.desc.startswith("day 3/3")
    progress.close()


# -- a real S3-compatible endpoint ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free local port, with a bucket; stopped after the module."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing",
                 region_name="us-east-1").create_bucket(Bucket="rawlogs")
    yield url
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """The endpoint as botocore finds it from the environment (AWS_ENDPOINT_URL), and a client to read it."""
    for name, value in {**CREDENTIALS, "AWS_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(name, value)
    s3fs.S3FileSystem.clear_instance_cache()
    return s3fs.S3FileSystem(endpoint_url=s3_endpoint, key="testing", secret="testing")


def test_parquet_on_s3_through_the_cli_reads_back_typed(s3, s3_endpoint, capsys):
    argv = ["generate", "--date", "2026-03-02", "--days", "3", "--sessions", "60", "--format", "parquet",
            "--workers", "2", "-o", "s3://rawlogs/parquet/"]
    assert main(argv) == 0
    assert sorted(s3.ls("rawlogs/parquet")) == [f"rawlogs/parquet/date=2026-03-0{day}" for day in (2, 3, 4)]
    frame = pd.read_parquet("s3://rawlogs/parquet/",
                            storage_options={"endpoint_url": s3_endpoint, "key": "testing", "secret": "testing"})
    assert str(frame["msg_rt"].dtype) == "datetime64[ms, UTC]" and str(frame["msg_switched"].dtype) == "bool"
    assert sorted(frame["date"].astype(str).unique()) == ["2026-03-02", "2026-03-03", "2026-03-04"]
    with s3.open("rawlogs/parquet/date=2026-03-03/part-0000.parquet", "rb") as stream:
        assert pq.read_schema(stream).equals(arrow_schema())
    assert capsys.readouterr().err.count("s3://rawlogs/parquet/date=") == 3 * 2  # a line a file: 2 chunks a day


def test_csv_on_s3_by_storage_option_is_the_days_bytes(s3, s3_endpoint, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    argv = ["generate", "--date", "2026-03-02", "--days", "2", "--sessions", "60", "--compression", "gzip",
            "--storage-option", f"endpoint_url={s3_endpoint}", "-o", "s3://rawlogs/csv"]
    assert main(argv) == 0
    account = AccountSpec(1234567, sessions_per_day=60,
                          projects=(ProjectSpec("Demobot", channels=("telegram", "chatwidget", "resterisk")),))
    with s3.open("rawlogs/csv/03-03-2026.csv.gz", "rb", compression="gzip") as stream:
        assert stream.read() == day_bytes(account, date(2026, 3, 3))
    assert not [key for key in s3.find("rawlogs/csv") if "part" in key]  # nothing temporary left behind
