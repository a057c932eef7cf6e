"""Outputs of a request: typed Arrow tables and Parquet, CSV day or chunk files, gzip, the objects' names, and
writes that are whole or absent, locally and on an fsspec store (``memory://``)."""

from __future__ import annotations

import csv
import gc
import gzip
import io
import itertools
import threading
from collections.abc import Iterator
from datetime import date
from unittest import mock

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators import AccountSpec, Dialect, day_bytes, tables
from generators.csvformat import ExportDialect, read_records
from generators.engines import run_job
from generators.partitions import Partition, Request, partition_rows
from generators.schema import (
    CLIENT_NAME,
    COLUMN_NAMES,
    COLUMNS,
    MSG_ANSWER,
    MSG_OPERATOR,
    MSG_QUESTION,
    MSG_SWITCHED,
    SESSION_ID,
    SESSION_TAG,
    TRUE,
    Kind,
    parse_bool,
    parse_datetime,
    parse_int,
)
from generators.storage import Output, OutputObject, plan_objects, write_object
from generators.tables import arrow_schema, partition_table, write_parquet, write_parquet_rows

WEDNESDAY = date(2026, 3, 4)
PARSERS = {Kind.TEXT: str, Kind.DATETIME: parse_datetime, Kind.INTEGER: parse_int, Kind.BOOLEAN: parse_bool}
ACCOUNT = AccountSpec(777, sessions_per_day=120)


# -- Arrow and Parquet ----------------------------------------------------------------------------------------


def test_the_arrow_schema_types_every_column_by_its_kind():
    expected = {Kind.TEXT: pa.string(), Kind.DATETIME: pa.timestamp("ms", tz="UTC"), Kind.INTEGER: pa.int64(),
                Kind.BOOLEAN: pa.bool_()}
    schema = arrow_schema()
    assert schema.names == [column.name for column in COLUMNS]
    assert [field.type for field in schema] == [expected[column.kind] for column in COLUMNS]


@pytest.mark.parametrize("labels", ["display", "id"])
def test_a_partitions_table_holds_the_csvs_values_typed(labels):
    dialect = Dialect(channel_labels=labels)
    table = partition_table(Partition(ACCOUNT, WEDNESDAY, dialect=dialect))
    fields = list(csv.reader(io.StringIO(day_bytes(ACCOUNT, WEDNESDAY, dialect=dialect).decode(), newline=""),
                             ExportDialect))[1:]
    assert table.num_rows == len(fields)
    for index, column in enumerate(COLUMNS):
        parse = PARSERS[column.kind]
        assert table.column(index).to_pylist() == [parse(row[index]) for row in fields], column.name
    assert any(table.column("msg_operator").to_pylist()) or any(table.column("msg_switched").to_pylist())


AWKWARD_TEXTS = ["a;b", 'say "hi"', "two\nlines", "a lone\rreturn", "crlf\r\nend", "", " padded ", "123", "null",
                 "true", "Привет, ёж", "tab\there", "nul\x00byte"]


def _awkward_rows(monkeypatch, *, flag: str = TRUE) -> None:
    """The partition's rows replaced by rows whose texts are the awkward ones (two message texts and two
    session-level ones, which repeat on every row of a burst), and whose flags are ``flag``."""
    template = list(next(iter(partition_rows(Partition(ACCOUNT, WEDNESDAY)))))
    rows = []
    for text in AWKWARD_TEXTS:
        row = template.copy()
        row[SESSION_TAG] = row[MSG_QUESTION] = text
        row[CLIENT_NAME] = row[MSG_ANSWER] = text[::-1]
        row[MSG_SWITCHED] = row[MSG_OPERATOR] = flag
        rows.append(tuple(row))
    monkeypatch.setattr(tables, "partition_rows", lambda partition: iter(rows))


def test_texts_the_csv_must_quote_reach_the_table_and_the_parquet_unchanged(monkeypatch):
    """Every text survives as it is (no quoting, no line-break rewriting), and none becomes a null, a number
    or a flag, in the table and in the Parquet file read back."""
    _awkward_rows(monkeypatch)
    buffer = io.BytesIO()
    write_parquet(Partition(ACCOUNT, WEDNESDAY), buffer)
    for table in (partition_table(Partition(ACCOUNT, WEDNESDAY)), pq.read_table(io.BytesIO(buffer.getvalue()))):
        for column in ("session_tag", "msg_question"):
            assert table.column(column).to_pylist() == AWKWARD_TEXTS
        for column in ("client_name", "msg_answer"):
            assert table.column(column).to_pylist() == [text[::-1] for text in AWKWARD_TEXTS]
        assert table.column("msg_switched").to_pylist() == [True] * len(AWKWARD_TEXTS)
        assert all(column.null_count == 0 for column in table.columns)


@pytest.mark.parametrize("flag", ["TRUE", "1", ""])
def test_a_flag_other_than_true_or_false_is_refused(monkeypatch, flag):
    _awkward_rows(monkeypatch, flag=flag)
    with pytest.raises(ValueError, match="neither 'true' nor 'false'"):
        partition_table(Partition(ACCOUNT, WEDNESDAY))


def test_parquet_of_the_chunks_holds_the_days_rows_in_order():
    request = Request(ACCOUNT, WEDNESDAY, chunks=3)
    tables = []
    for part in request.partitions():
        buffer = io.BytesIO()
        stats = write_parquet(part, buffer)
        table = pq.read_table(io.BytesIO(buffer.getvalue()))
        assert table.schema.equals(arrow_schema()) and table.num_rows == stats.rows
        tables.append(table)
    whole = partition_table(Partition(ACCOUNT, WEDNESDAY))
    assert pa.concat_tables(tables).equals(whole)


def test_batch_and_row_group_borders_change_no_value(monkeypatch):
    """Cut into batches of 7 rows and row groups of 3 batches, sessions' rows fall on both sides of the borders;
    the table and the Parquet file hold the same values as with the default sizes."""
    part = Partition(ACCOUNT, WEDNESDAY)
    whole = partition_table(part)
    monkeypatch.setattr(tables, "BATCH_ROWS", 7)
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 21)
    sessions = whole.column(SESSION_ID).to_pylist()
    across = {sessions[i] for i in range(0, len(sessions), 7) if sessions[i] in sessions[max(0, i - 50):i]}
    assert across  # a session with rows before and on a batch's first row: its texts cross the border
    buffer = io.BytesIO()
    assert write_parquet(part, buffer).rows == whole.num_rows
    read_back = pq.read_table(io.BytesIO(buffer.getvalue()))
    assert pq.ParquetFile(io.BytesIO(buffer.getvalue())).metadata.num_row_groups == -(-whole.num_rows // 21)
    assert partition_table(part).equals(whole) and read_back.equals(whole)


def test_texts_and_counts_are_dictionaries_and_times_and_flags_are_not():
    buffer = io.BytesIO()
    write_parquet(Partition(ACCOUNT, WEDNESDAY), buffer)
    group = pq.ParquetFile(io.BytesIO(buffer.getvalue())).metadata.row_group(0)
    for index, column in enumerate(COLUMNS):
        assert group.column(index).has_dictionary_page == (column.kind in (Kind.TEXT, Kind.INTEGER)), column.name


def test_parquet_keeps_statistics_for_the_typed_columns_only(monkeypatch):
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 100)
    buffer = io.BytesIO()
    stats = write_parquet(Partition(ACCOUNT, WEDNESDAY), buffer)
    metadata = pq.ParquetFile(io.BytesIO(buffer.getvalue())).metadata
    assert metadata.num_row_groups == -(-stats.rows // 100) > 1
    for group in range(metadata.num_row_groups):
        for index, column in enumerate(COLUMNS):
            chunk = metadata.row_group(group).column(index)
            assert chunk.compression == tables.PARQUET_COMPRESSION.upper()
            assert chunk.is_stats_set == (column.kind is not Kind.TEXT), column.name
    times = [metadata.row_group(group).column(COLUMN_NAMES.index("msg_rt")).statistics for group in (0, 1)]
    assert times[0].min <= times[0].max < times[1].max  # the rows are in log order


# -- the columns joined, and split back by Arrow --------------------------------------------------------------

_TEXTS = st.text(st.sampled_from(["a", ";", '"', "\n", "\r", " ", "ё", "Ж", "€", "😀", "\x00", tables.SEPARATOR]),
                 max_size=6)


def _text_columns_of(rows: list[tuple[str, ...]]) -> tuple[list[list[str]], set[str]]:
    """The text columns the pieces of ``rows`` split back into, and the kinds of pieces that made them."""
    columns: list[list[str]] = [[] for _ in COLUMNS]
    kinds = set()
    for group in tables._text_groups(iter(rows), None):
        for piece in group:
            kinds.add(type(piece).__name__)
            for column, texts in zip(columns, tables._text_columns(piece), strict=True):
                column.extend(texts.to_pylist())
    return columns, kinds


def test_joined_columns_split_back_into_every_text_in_order():
    """Any texts (empty ones, line breaks, quotes, non-ASCII, the separator itself) come back as they were, in
    their rows' order, across batch and row-group borders; a batch with the separator in a text goes to Arrow
    row by row, and the runs on either side of it stay joined. Both ways are reached."""
    reached: set[str] = set()

    @settings(max_examples=150, deadline=None)
    @given(rows=st.lists(st.tuples(*[_TEXTS] * len(COLUMNS)), min_size=1, max_size=40),
           batch=st.integers(1, 6), per_group=st.integers(1, 4))
    def check(rows, batch, per_group):
        with mock.patch.object(tables, "BATCH_ROWS", batch), \
                mock.patch.object(tables, "ROW_GROUP_ROWS", batch * per_group):
            columns, kinds = _text_columns_of(rows)
        assert columns == [list(column) for column in zip(*rows, strict=True)]
        reached.update(kinds)

    check()
    assert reached == {"_Joined", "StructArray"}


def test_a_text_with_the_separator_costs_its_batch_only(monkeypatch):
    monkeypatch.setattr(tables, "BATCH_ROWS", 4)
    rows = list(itertools.islice(partition_rows(Partition(ACCOUNT, WEDNESDAY)), 12))
    rows[5] = (*rows[5][:MSG_QUESTION], f"a{tables.SEPARATOR}b", *rows[5][MSG_QUESTION + 1:])
    (group,) = tables._text_groups(iter(rows), None)
    assert [type(piece).__name__ for piece in group] == ["_Joined", "StructArray", "_Joined"]
    assert _parquet_of(rows).column(MSG_QUESTION).to_pylist()[5] == "a\x1fb"


def _parquet_of(rows: list[tuple[str, ...]]) -> pa.Table:
    """The rows written as Parquet and read back."""
    buffer = io.BytesIO()
    write_parquet_rows(iter(rows), buffer)
    return pq.read_table(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize(("bad", "error"), [
    (lambda row: row[:-1], "Tuple size must be equal to number of struct fields"),
    (lambda row: (*row, "more"), "Tuple size must be equal to number of struct fields"),
    (lambda row: (*row[:-1], None), "'msg_tags' is declared non-nullable but contains nulls"),
    (lambda row: (*row[:-1], "\ud800"), "surrogates not allowed"),
])
def test_a_row_that_is_not_19_texts_is_refused_by_name(bad, error):
    rows = list(itertools.islice(partition_rows(Partition(ACCOUNT, WEDNESDAY)), 3))
    rows[1] = bad(rows[1])
    with pytest.raises((pa.ArrowException, TypeError, UnicodeEncodeError), match=error):
        write_parquet_rows(iter(rows), io.BytesIO())
    assert not _encoders()


def test_progress_is_reported_in_steps_and_adds_up(monkeypatch):
    monkeypatch.setattr(tables, "BATCH_ROWS", 16)
    monkeypatch.setattr(tables, "PROGRESS_STEP", 100)
    reports: list[int] = []
    rows = write_parquet_rows(partition_rows(Partition(ACCOUNT, WEDNESDAY)), io.BytesIO(), reports.append)
    assert sum(reports) == rows and len(reports) == -(-rows // 112)  # 7 batches of 16 reach a step
    assert all(report == 112 for report in reports[:-1])


# -- Parquet encoded on a second thread -----------------------------------------------------------------------


class _Recorder(io.BytesIO):
    """A target that notes which threads wrote to it, and fails once ``fail_after`` bytes have been written."""

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__()
        self.threads: set[int] = set()
        self.fail_after = fail_after

    def write(self, data) -> int:  # type: ignore[override]
        self.threads.add(threading.get_ident())
        if self.fail_after is not None and self.tell() + len(data) > self.fail_after:
            raise OSError("the store is full")
        return super().write(data)


def _encoders() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("parquet-encode")]


def _small_groups(monkeypatch) -> list[tuple[str, ...]]:
    """Row groups of 40 rows in batches of 20, so a day's rows make several hand-overs to the thread, and an
    Arrow buffer of 512 bytes before the target, so that the thread writes to it (not the final flush only)."""
    monkeypatch.setattr(tables, "BATCH_ROWS", 20)
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 40)
    monkeypatch.setattr(tables, "SINK_BUFFER_BYTES", 512)
    rows = list(partition_rows(Partition(ACCOUNT, WEDNESDAY)))
    assert len(rows) > 5 * 40
    return rows


def test_encoding_apart_writes_the_same_bytes_from_another_thread(monkeypatch):
    rows = _small_groups(monkeypatch)
    here, apart = _Recorder(), _Recorder()
    assert write_parquet_rows(iter(rows), here, encode_apart=False) == len(rows)
    assert write_parquet_rows(iter(rows), apart, encode_apart=True) == len(rows)
    assert apart.getvalue() == here.getvalue()
    assert here.threads == {threading.get_ident()} and apart.threads - here.threads  # the row groups' pages
    assert pq.ParquetFile(io.BytesIO(apart.getvalue())).metadata.num_row_groups == -(-len(rows) // 40)
    assert not _encoders()


def test_a_failing_write_on_the_thread_is_the_calls_error_and_stops_the_rows(monkeypatch):
    rows = _small_groups(monkeypatch)
    pulled = []
    target = _Recorder(fail_after=2_000)  # past the file's header: a row group's pages fail, on the thread
    with pytest.raises(OSError, match="the store is full"):
        write_parquet_rows((pulled.append(row) or row for row in rows), target, encode_apart=True)
    assert target.threads - {threading.get_ident()}
    assert len(pulled) < len(rows)  # stopped at the next hand-over, not after making every row
    assert not _encoders()


def test_a_target_failing_on_the_last_flush_is_the_calls_error_and_nothing_is_left_to_flush(capfd):
    """With Arrow's buffer larger than the file, the one write to the target is the flush at the end, in the
    caller's thread: its error is raised, and the buffer is closed, so freeing it later writes nothing (Arrow
    would print the failure again on stderr)."""
    target = _Recorder(fail_after=2_000)
    with pytest.raises(OSError, match="the store is full"):
        write_parquet(Partition(ACCOUNT, WEDNESDAY), target)
    assert target.threads == {threading.get_ident()} and not _encoders()
    gc.collect()
    assert "Error ignored" not in capfd.readouterr().err


def test_a_failing_row_source_stops_the_thread_after_the_write_in_flight(monkeypatch):
    rows = _small_groups(monkeypatch)

    def failing() -> Iterator[tuple[str, ...]]:
        yield from rows[:130]  # three whole row groups handed over, the fourth's rows pending
        raise RuntimeError("the rows broke")

    target = _Recorder()
    with pytest.raises(RuntimeError, match="the rows broke"):
        write_parquet_rows(failing(), target, encode_apart=True)
    assert target.threads - {threading.get_ident()} and not _encoders()
    assert pq.ParquetFile(io.BytesIO(target.getvalue())).metadata.num_rows == 120  # the groups made, closed


@pytest.mark.parametrize("encode_apart", [False, True])
def test_a_bad_flag_is_refused_with_or_without_the_thread(monkeypatch, encode_apart):
    _awkward_rows(monkeypatch, flag="TRUE")
    with pytest.raises(ValueError, match="neither 'true' nor 'false'"):
        write_parquet_rows(tables.partition_rows(Partition(ACCOUNT, WEDNESDAY)), io.BytesIO(),
                           encode_apart=encode_apart)
    assert not _encoders()


def test_parquet_is_encoded_on_a_thread_unless_asked_not_to(monkeypatch):
    _small_groups(monkeypatch)
    default, here = _Recorder(), _Recorder()
    write_parquet(Partition(ACCOUNT, WEDNESDAY), default)
    write_parquet(Partition(ACCOUNT, WEDNESDAY), here, encode_apart=False)
    assert default.threads - {threading.get_ident()} and here.threads == {threading.get_ident()}
    assert default.getvalue() == here.getvalue() and not default.closed


# -- objects and their names ----------------------------------------------------------------------------------


def _names(request: Request, output: Output) -> list[str]:
    return [target.url for target in plan_objects(request, output)]


def test_objects_are_named_by_day_chunk_date_and_version(tmp_path):
    root = str(tmp_path / "out")
    two_days = Request(ACCOUNT, WEDNESDAY, days=2, chunks=2)
    assert _names(two_days, Output(root)) == [f"{root}/04-03-2026.csv", f"{root}/05-03-2026.csv"]
    assert _names(two_days, Output(root, compression="gzip"))[0] == f"{root}/04-03-2026.csv.gz"
    assert _names(two_days, Output(root, layout="chunk"))[:2] == [
        f"{root}/04-03-2026.part-0000.csv", f"{root}/04-03-2026.part-0001.csv"]
    assert _names(two_days, Output(root + "/", format="parquet"))[1] == f"{root}/date=2026-03-04/part-0001.parquet"
    versions = Request(ACCOUNT, WEDNESDAY, versions=(1, 2))
    assert _names(versions, Output(root)) == [f"{root}/version=1/04-03-2026.csv", f"{root}/version=2/04-03-2026.csv"]
    assert _names(Request(ACCOUNT, WEDNESDAY), Output(root + "/day.csv")) == [root + "/day.csv"]
    assert _names(Request(ACCOUNT, WEDNESDAY), Output(root + "/")) == [root + "/04-03-2026.csv"]


@pytest.mark.parametrize(("options", "words"), [
    ({"format": "orc"}, "format 'orc'"),
    ({"layout": "hour"}, "layout 'hour'"),
    ({"compression": "bz2"}, "compression 'bz2'"),
    ({"format": "parquet", "compression": "gzip"}, "compression applies to CSV"),
])
def test_an_output_out_of_its_choices_is_refused(options, words):
    with pytest.raises(ValueError, match=words):
        Output("out/", **options)


# -- CSV files, gzip ------------------------------------------------------------------------------------------


def test_gzip_day_files_do_not_depend_on_the_cut(tmp_path):
    made = {}
    for chunks, workers in ((1, 1), (3, 2)):
        folder = tmp_path / f"c{chunks}"
        run_job(Request(ACCOUNT, WEDNESDAY, days=2, chunks=chunks), Output(str(folder), compression="gzip"),
                workers=workers)
        made[chunks] = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert made[1] == made[3]
    assert gzip.decompress(made[1]["04-03-2026.csv.gz"]) == day_bytes(ACCOUNT, WEDNESDAY)


def test_chunk_files_concatenated_are_the_day(tmp_path):
    run_job(Request(ACCOUNT, WEDNESDAY, chunks=3), Output(str(tmp_path), layout="chunk", compression="gzip"))
    paths = sorted(tmp_path.glob("04-03-2026.part-*.csv.gz"))
    assert len(paths) == 3
    assert gzip.decompress(b"".join(path.read_bytes() for path in paths)) == day_bytes(ACCOUNT, WEDNESDAY)


# -- whole or absent ------------------------------------------------------------------------------------------


def _failing_writer(after_bytes: int):
    def write(part, stream, on_progress):
        stream.write(b"x" * after_bytes)
        raise RuntimeError("the machine went away")
    return write


def test_a_failed_local_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "04-03-2026.csv"
    target.write_bytes(b"old")
    job = OutputObject(str(target), (Partition(ACCOUNT, WEDNESDAY),))
    with pytest.raises(RuntimeError):
        write_object(job, Output(str(tmp_path)), _failing_writer(1000))
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == [target.name]


def test_a_failed_write_to_a_store_leaves_no_object():
    url = "memory://failing/04-03-2026.csv"
    job = OutputObject(url, (Partition(ACCOUNT, WEDNESDAY),))
    with pytest.raises(RuntimeError):
        write_object(job, Output("memory://failing/"), _failing_writer(1000))
    assert not fsspec.filesystem("memory").exists("/failing/04-03-2026.csv")


_stores = itertools.count()


def test_a_store_gets_the_same_bytes_and_parquet_as_local_files(tmp_path):
    root = f"memory://jaicp-test-{next(_stores)}"
    request = Request(ACCOUNT, WEDNESDAY, days=2, chunks=2)
    run_job(request, Output(root + "/csv/"), workers=2)
    run_job(request, Output(root + "/pq/", format="parquet"))
    store = fsspec.filesystem("memory")
    assert store.cat(f"{root}/csv/05-03-2026.csv") == day_bytes(ACCOUNT, date(2026, 3, 5))
    dataset = pq.read_table(f"{root}/pq/".removeprefix("memory:/"), filesystem=store)
    assert dataset.num_rows == sum(len(read_records(day_bytes(ACCOUNT, day))) for day in request.day_list)
    assert sorted(set(map(str, dataset.column("date").to_pylist()))) == ["2026-03-04", "2026-03-05"]
