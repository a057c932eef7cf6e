"""The CSV dialect (docs/decisions.md), every account option, the reader, and atomic file replacement."""

from __future__ import annotations

import csv
import io
import itertools
import os
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from generators.csvformat import (
    BOM,
    RowWriter,
    atomic_output,
    iter_records,
    read_records,
    record_from_fields,
    text_stream,
)
from generators.export import day_bytes, write_day_file
from generators.model import AccountSpec, Dialect, ProjectSpec
from generators.schema import COLUMN_NAMES, COLUMNS, HEADER_LINE
from generators.strategies import adversarial_text, day_files, dialects

WEDNESDAY = date(2026, 3, 4)
ALL_DIALECTS = [Dialect(quote_all=quote_all, bom=bom, line_end=line_end, channel_labels=labels)
                for quote_all, bom, line_end, labels in itertools.product((False, True), (False, True),
                                                                         ("\r\n", "\n"), ("display", "id"))]
NEEDS_QUOTES = (";", '"', "\r", "\n")
EXAMPLE_ROW = tuple(column.example for column in COLUMNS)
HEAVY = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def dialect_id(dialect: Dialect) -> str:
    return (f"{'all' if dialect.quote_all else 'min'}-{'bom' if dialect.bom else 'nobom'}-"
            f"{'crlf' if dialect.line_end == chr(13) + chr(10) else 'lf'}-{dialect.channel_labels}")


def render(rows, dialect: Dialect = Dialect(), header: bool = False) -> bytes:
    buffer = io.BytesIO()
    stream = text_stream(buffer)
    writer = RowWriter(stream, dialect)
    if header:
        writer.header()
    for row in rows:
        writer.write(row)
    stream.flush()
    return buffer.getvalue()


def parse_independently(data: bytes) -> list[list[str]]:
    """Fields of every record, read with the standard library only (not with the project's reader)."""
    text = data.decode("utf-8").removeprefix(BOM)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True))


def small_account(locale: str = "en_US", **options) -> AccountSpec:
    return AccountSpec(1234567, projects=(ProjectSpec("Demobot", domain="delivery"),), locale=locale,
                       sessions_per_day=60, **options)


# -- the platform's default dialect --------------------------------------------------------------------------


def test_default_dialect_is_the_platforms():
    assert Dialect() == Dialect(quote_all=False, bom=False, line_end="\r\n", channel_labels="display")


def test_default_dialect_bytes():
    data = day_bytes(small_account(), WEDNESDAY)
    assert not data.startswith(BOM.encode())
    assert data.startswith((HEADER_LINE + "\r\n").encode())
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line end is CRLF (no embedded ends in this data)
    records = parse_independently(data)
    assert records[0] == list(COLUMN_NAMES)
    assert all(len(fields) == 19 for fields in records)
    # Unquoted lines split on ';' exactly into the 19 fields.
    plain = [line for line in text.split("\r\n")[1:-1] if '"' not in line]
    assert plain
    assert all(len(line.split(";")) == 19 for line in plain)
    assert {fields[5] for fields in records[1:]} <= {"Telegram", "Chat widget", "Telephony"}


def test_minimal_quoting_exact_bytes():
    row = ("plain", "semi;colon", 'say "hi"', "two\nlines", "carriage\rreturn", "", " edge spaces ",
           "crlf\r\nend", "'apostrophe'", "tab\there", "😀 ёж", *(["x"] * 8))
    expected = ('plain;"semi;colon";"say ""hi""";"two\nlines";"carriage\rreturn";; edge spaces ;"crlf\r\nend";'
                "'apostrophe';tab\there;😀 ёж;x;x;x;x;x;x;x;x\r\n")
    assert render([row]) == expected.encode()


def test_quote_all_quotes_every_field():
    data = day_bytes(small_account(), WEDNESDAY, dialect=Dialect(quote_all=True))
    text = data.decode("utf-8")
    assert text.startswith(";".join(f'"{name}"' for name in COLUMN_NAMES) + "\r\n")
    for line in text.split("\r\n")[1:-1]:
        assert line.startswith('"') and line.endswith('"')
        assert line.count('";"') >= 18
    assert render([("a", "", "b;c")], Dialect(quote_all=True)) == b'"a";"";"b;c"\r\n'


def test_bom_dialect():
    data = day_bytes(small_account(), WEDNESDAY, dialect=Dialect(bom=True))
    assert data.startswith(b"\xef\xbb\xbf" + HEADER_LINE.encode() + b"\r\n")
    assert data.count(b"\xef\xbb\xbf") == 1
    assert data[3:] == day_bytes(small_account(), WEDNESDAY)


def test_lf_dialect():
    data = day_bytes(small_account(), WEDNESDAY, dialect=Dialect(line_end="\n"))
    assert b"\r" not in data
    assert data.replace(b"\n", b"\r\n") == day_bytes(small_account(), WEDNESDAY)


def test_channel_id_dialect():
    records = parse_independently(day_bytes(small_account(), WEDNESDAY, dialect=Dialect(channel_labels="id")))
    assert {fields[5] for fields in records[1:]} == {"telegram", "chatwidget", "resterisk"}


@pytest.mark.parametrize("quote_all", [False, True])
def test_lone_carriage_return_is_quoted_with_lf_line_ends(quote_all):
    dialect = Dialect(quote_all=quote_all, line_end="\n")
    assert render([("a\rb", "c", "d\r")], dialect) == (b'"a\rb";' + (b'"c"' if quote_all else b"c") + b';"d\r"\n')
    row = (*EXAMPLE_ROW[:11], "a\rb", *EXAMPLE_ROW[12:])
    data = render([row, EXAMPLE_ROW], dialect, header=True)
    assert [record.msg_question for record in read_records(data)] == ["a\rb", EXAMPLE_ROW[11]]
    assert parse_independently(data)[1:] == [list(row), list(EXAMPLE_ROW)]


@settings(max_examples=300, deadline=None)
@given(adversarial_text(60), dialects())
def test_a_field_is_quoted_exactly_when_it_must_be(text, dialect):
    written = render([(text, "x")], dialect).decode("utf-8")
    assert written.endswith(dialect.line_end)
    if dialect.quote_all:
        assert written == '"' + text.replace('"', '""') + '";"x"' + dialect.line_end
    elif any(char in text for char in NEEDS_QUOTES):
        assert written == '"' + text.replace('"', '""') + '";x' + dialect.line_end
    else:
        assert written == text + ";x" + dialect.line_end


# -- round trips ---------------------------------------------------------------------------------------------


def expected_records(rows) -> list:
    return [record_from_fields(list(row)) for row in rows]


@HEAVY
@given(day_files(adversarial=True))
def test_adversarial_day_files_round_trip(day_file):
    data = day_file.to_bytes()
    assert data.startswith(BOM.encode()) == day_file.dialect.bom
    assert parse_independently(data) == [list(COLUMN_NAMES), *map(list, day_file.rows)]
    assert read_records(data) == expected_records(day_file.rows)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day_files())
def test_realistic_day_files_round_trip(day_file):
    data = day_file.to_bytes()
    assert parse_independently(data) == [list(COLUMN_NAMES), *map(list, day_file.rows)]
    assert read_records(data) == expected_records(day_file.rows)


@pytest.mark.parametrize("locale", ["en_US", "ru_RU"])
def test_every_dialect_reads_back_to_the_same_records(locale, tmp_path):
    account = small_account(locale)
    reference = read_records(day_bytes(account, WEDNESDAY))
    assert len(reference) > 100
    for dialect in ALL_DIALECTS:
        path = tmp_path / f"{dialect_id(dialect)}.csv"
        write_day_file(path, account, WEDNESDAY, dialect=dialect)
        assert read_records(path.read_bytes()) == reference, dialect
        assert list(iter_records(path)) == reference, dialect
        assert read_records(path.read_bytes().decode("utf-8")) == reference


def test_reader_types_the_documented_example_row():
    data = render([EXAMPLE_ROW], header=True)
    (record,) = read_records(data)
    assert record.channel_type == "telegram"  # display name read back as the id
    assert record.session_questions_count == 14
    assert record.msg_switched is False and record.msg_operator is False
    assert record.msg_rt.isoformat() == "2019-02-13T13:41:12+00:00"
    assert record.client_id == "telegram-118460129-demobot-118460129-XLA-160021967-294227430"


@pytest.mark.parametrize(("data", "words"), [
    (b"", "header"),
    (b"a;b;c\r\n", "header"),
    (HEADER_LINE.replace(";", ",").encode() + b"\r\n", "header"),
    ((HEADER_LINE + "\r\n" + ";".join(EXAMPLE_ROW[:18]) + "\r\n").encode(), "19 fields"),
    ((HEADER_LINE + "\r\n" + ";".join(EXAMPLE_ROW).replace("false", "False", 1) + "\r\n").encode(), "'False'"),
    ((HEADER_LINE + "\r\n" + ";".join(EXAMPLE_ROW).replace(";14;", ";-14;") + "\r\n").encode(), "'-14'"),
])
def test_reader_rejects_what_does_not_parse(data, words):
    with pytest.raises(ValueError, match=words):
        read_records(data)


def test_reader_rejects_an_unclosed_quote():
    with pytest.raises(csv.Error):
        read_records((HEADER_LINE + '\r\n"unclosed;' + ";".join(EXAMPLE_ROW[1:])).encode())


# -- atomic replacement --------------------------------------------------------------------------------------


def test_atomic_output_keeps_the_old_file_when_the_block_fails(tmp_path):
    target = tmp_path / "03-03-2026.csv"
    target.write_bytes(b"old content")
    with pytest.raises(RuntimeError, match="boom"), atomic_output(target) as stream:
        stream.write(b"new, half-written")
        stream.flush()
        assert target.read_bytes() == b"old content"  # readers never see a part
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old content"
    assert os.listdir(tmp_path) == [target.name]


def test_atomic_output_cleans_up_on_keyboard_interrupt(tmp_path):
    target = tmp_path / "day.csv"
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as stream:
        stream.write(b"partial")
        raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_atomic_output_replaces_on_success_and_creates_folders(tmp_path):
    target = tmp_path / "new" / "folder" / "day.csv"
    with atomic_output(target) as stream:
        stream.write(b"first")
    assert target.read_bytes() == b"first"
    with atomic_output(target) as stream:
        stream.write(b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["day.csv"]


def test_write_day_file_is_atomic_when_generation_fails(tmp_path, monkeypatch):
    target = tmp_path / "04-03-2026.csv"
    target.write_bytes(b"previous version")

    def broken(rows, target, *args, **kwargs):  # half a day written, then the disk fills up
        target.write(next(rows)[0].encode())
        raise OSError("disk full")

    # export's own name for the writer: the generator's classes may be compiled, which no patch reaches
    monkeypatch.setattr("generators.export.write_csv_rows", broken)
    with pytest.raises(OSError, match="disk full"):
        write_day_file(target, small_account(), WEDNESDAY)
    assert target.read_bytes() == b"previous version"
    assert os.listdir(tmp_path) == [target.name]


# -- other readers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [Dialect(), Dialect(quote_all=True, bom=True, line_end="\n")], ids=dialect_id)
def test_pandas_reads_a_generated_file(dialect, tmp_path):
    path = tmp_path / "04-03-2026.csv"
    stats = write_day_file(path, small_account("ru_RU"), WEDNESDAY, dialect=dialect)
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns) == list(COLUMN_NAMES)
    assert frame.shape == (stats.rows, 19)
    assert stats.rows == len(read_records(path.read_bytes()))
    assert frame["client_id"].tolist() == [record.client_id for record in iter_records(path)]


def test_pandas_reads_embedded_separators_quotes_and_newlines(tmp_path):
    rows = [tuple(record_text) for record_text in parse_independently(day_bytes(small_account(), WEDNESDAY))[1:]]
    nasty = 'line one\r\nline two; "quoted"\n😀'
    rows = [(*row[:11], nasty if number % 5 == 0 else row[11], *row[12:]) for number, row in enumerate(rows)]
    path = tmp_path / "04-03-2026.csv"
    path.write_bytes(render(rows, header=True))
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    assert frame.shape == (len(rows), 19)
    assert frame["msg_question"].tolist() == [row[11] for row in rows]
    assert frame["session_questions_count"].astype(int).min() >= 1
