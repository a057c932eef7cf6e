"""The validator: accepts everything we generate, rejects each corruption with its rule, line and column."""

from __future__ import annotations

import copy
import csv
import io
import itertools
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings

from generators.csvformat import RowWriter, text_stream
from generators.export import day_bytes
from generators.model import AccountSpec, Dialect, ProjectSpec
from generators.schema import COLUMN_NAMES, HEADER_LINE
from generators.strategies import day_files
from generators.validate import RULES, validate_file

WEDNESDAY = date(2026, 3, 4)
NAME = "04-03-2026.csv"
PRINTED = re.compile(r"(?P<path>.+):(?P<line>\d+):(?P<column>\d+)(?: \((?P<name>[a-z_]+)\))?: (?P<rule>[a-z-]+): "
                     r"(?P<message>.+)")
ALL_DIALECTS = [Dialect(quote_all=quote_all, bom=bom, line_end=line_end, channel_labels=labels)
                for quote_all, bom, line_end, labels in itertools.product((False, True), (False, True),
                                                                         ("\r\n", "\n"), ("display", "id"))]
(SESSION_ID, SESSION_START, SESSION_END, COUNT, SESSION_TAG, CHANNEL_TYPE, CHANNEL_NAME, CLIENT_ID, CLIENT_NAME,
 PROJECT_NAME, MSG_RT, MSG_QUESTION, MSG_ANSWER, STATE_BEFORE, STATE_AFTER, MSG_SWITCHED, MSG_OPERATOR, MSG_COMMENT,
 MSG_TAGS) = range(19)


def account(locale: str = "en_US", **options) -> AccountSpec:
    return AccountSpec(1234567, projects=(ProjectSpec("Demobot", domain="banking"),), locale=locale,
                       sessions_per_day=40, **options)


def to_bytes(records: list[list[str]], dialect: Dialect = Dialect()) -> bytes:
    """Header and rows (records[0] is the header) in a dialect."""
    buffer = io.BytesIO()
    stream = text_stream(buffer)
    if dialect.bom:
        stream.write("\ufeff")
    writer = RowWriter(stream, dialect)
    for fields in records:
        writer.write(fields)
    stream.flush()
    return buffer.getvalue()


def found(report) -> list[tuple[str, int, int]]:
    return [(problem.rule, problem.line, problem.column) for problem in report.problems]


@pytest.fixture(scope="module")
def good() -> list[list[str]]:
    """A valid day as records; record i is on physical line i + 1 (no field holds a line break)."""
    data = day_bytes(account(), WEDNESDAY)
    records = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))
    assert records[0] == list(COLUMN_NAMES)
    assert not any("\n" in field or "\r" in field for fields in records for field in fields)
    assert to_bytes(records) == data
    return records


@pytest.fixture
def records(good) -> list[list[str]]:
    return copy.deepcopy(good)


def sessions_of(records: list[list[str]]) -> dict[str, list[int]]:
    """Record indices of each session, in file order."""
    groups: dict[str, list[int]] = {}
    for index, fields in enumerate(records[1:], start=1):
        groups.setdefault(fields[SESSION_ID], []).append(index)
    return groups


def session_with_rows(records, minimum: int = 2, *, began_today: bool = True, switched: bool = False) -> list[int]:
    for indices in sessions_of(records).values():
        rows = [records[index] for index in indices]
        if len(indices) < minimum:
            continue
        if began_today != rows[0][SESSION_START].startswith("04.03.2026"):
            continue
        if switched != any(row[MSG_SWITCHED] == "true" for row in rows):
            continue
        return indices
    raise AssertionError("no such session in the sample day")


# -- accepts -------------------------------------------------------------------------------------------------


def test_the_sample_day_is_valid(good, validate_bytes):
    report = validate_bytes(to_bytes(good))
    assert report.ok, [str(problem) for problem in report.problems]
    assert report.rows == len(good) - 1
    assert report.sessions == len(sessions_of(good))
    assert report.day == WEDNESDAY
    assert report.summary().startswith(f"{report.path}: OK: {report.rows} rows, {report.sessions} sessions")


@pytest.mark.parametrize("locale", ["en_US", "ru_RU"])
@pytest.mark.parametrize("dialect", ALL_DIALECTS, ids=lambda d: d.describe().replace(" ", "_").replace(",", ""))
def test_every_generated_dialect_is_valid(dialect, locale, validate_bytes):
    report = validate_bytes(day_bytes(account(locale), WEDNESDAY, dialect=dialect))
    assert report.ok, [str(problem) for problem in report.problems]
    assert report.rows > 100
    assert ("BOM" if dialect.bom else "no BOM") in report.dialect
    assert ("CRLF" if dialect.line_end == "\r\n" else "LF") in report.dialect
    assert ("quote all" if dialect.quote_all else "minimal quoting") in report.dialect


@pytest.mark.parametrize("options", [
    {"version": 3}, {"seed": 0}, {"workers": 2},
])
def test_other_generated_files_are_valid(options, validate_bytes):
    multi = AccountSpec(99, projects=(ProjectSpec("A", domain="retail", channels=("vk", "whatsapp", "alexa")),
                                      ProjectSpec("Б", domain="telecom", locale="ru_RU",
                                                  channels=("resterisk", "viber", "azure"))),
                        sessions_per_day=80, session_id_style="client")
    report = validate_bytes(day_bytes(multi, WEDNESDAY, **options))
    assert report.ok, [str(problem) for problem in report.problems]


def test_a_header_only_file_is_valid(validate_bytes):
    report = validate_bytes(day_bytes(AccountSpec(1, sessions_per_day=0), WEDNESDAY))
    assert report.ok and report.rows == 0


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(day_files(adversarial=True))
def test_accepts_adversarial_day_files(validate_bytes, day_file):
    report = validate_bytes(day_file.to_bytes(), day_file.file_name)
    assert report.ok, [str(problem) for problem in report.problems]
    assert report.rows == len(day_file.rows)


# -- rejects, each corruption with its own rule --------------------------------------------------------------


@pytest.mark.parametrize(("separator", "named"), [(",", "','"), ("\t", "tab")], ids=["comma", "tab"])
def test_wrong_separator(good, validate_bytes, separator, named):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(good)
    report = validate_bytes(buffer.getvalue().encode())
    assert found(report) == [("separator", 1, 1)]
    assert named in report.problems[0].message


def test_missing_column(records, validate_bytes):
    for fields in records:
        del fields[MSG_COMMENT]
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("header", 1, 0)]
    assert "msg_comment" in report.problems[0].message


def test_extra_column(records, validate_bytes):
    records[0].append("msg_channel")
    for fields in records[1:]:
        fields.append("")
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("header", 1, 20)]
    assert "msg_channel" in report.problems[0].message


def test_header_out_of_order(records, validate_bytes):
    records[0][MSG_QUESTION], records[0][MSG_ANSWER] = records[0][MSG_ANSWER], records[0][MSG_QUESTION]
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("header", 1, 12)]
    assert "'msg_answer'" in report.problems[0].message and "'msg_question'" in report.problems[0].message


def test_header_in_another_case(records, validate_bytes):
    records[0] = [name.upper() for name in records[0]]
    report = validate_bytes(to_bytes(records))
    assert not report.ok
    assert {rule for rule, line, _ in found(report)} == {"header"} and report.problems[0].line == 1


def test_row_missing_a_field(records, validate_bytes):
    del records[7][MSG_TAGS]
    report = validate_bytes(to_bytes(records))
    assert report.problems[0].rule == "field-count"
    assert report.problems[0].line == 8
    assert "18 fields" in report.problems[0].message


def test_row_missing_a_field_names_the_first_missing_column(records, validate_bytes):
    del records[7][MSG_TAGS]
    report = validate_bytes(to_bytes(records))
    assert (report.problems[0].line, report.problems[0].column) == (8, 19)


def test_row_with_an_extra_field(records, validate_bytes):
    records[7].append("surplus")
    report = validate_bytes(to_bytes(records))
    assert found(report)[0] == ("field-count", 8, 20)
    assert "20 fields" in report.problems[0].message


@pytest.mark.parametrize(("column", "value"), [
    (MSG_RT, "31.02.2026 10:00:00"),
    (MSG_RT, "4.3.2026 10:00:00"),
    (MSG_RT, "2026-03-04 10:00:00"),
])
def test_impossible_date(records, validate_bytes, column, value):
    records[9][column] = value
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("datetime", 10, column + 1)]
    assert repr(value) in report.problems[0].message


def test_impossible_session_start(records, validate_bytes):
    indices = session_with_rows(records, 1)
    for index in indices:
        records[index][SESSION_START] = "31.02.2026 10:00:00"
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("datetime", index + 1, SESSION_START + 1) for index in indices]


@pytest.mark.parametrize("value", ["True", "FALSE", "1", "", "yes"])
def test_bad_boolean(records, validate_bytes, value):
    index = session_with_rows(records)[1]
    records[index][MSG_SWITCHED] = value
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("boolean", index + 1, MSG_SWITCHED + 1)]


@pytest.mark.parametrize("value", ["-1", "1.5", "", "ten", "+3"])
def test_bad_count(records, validate_bytes, value):
    indices = session_with_rows(records)
    for index in indices:
        records[index][COUNT] = value
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("integer", index + 1, COUNT + 1) for index in indices]


def test_msg_rt_on_another_day(records, validate_bytes):
    last = len(records) - 1
    for index in sessions_of(records)[records[last][SESSION_ID]]:
        records[index][SESSION_END] = "05.03.2026 00:00:59"
    records[last][MSG_RT] = "05.03.2026 00:00:30"
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("day", last + 1, MSG_RT + 1)]
    assert "04.03.2026" in report.problems[0].message


def test_file_named_for_another_day(good, validate_bytes):
    report = validate_bytes(to_bytes(good), "05-03-2026.csv")
    assert {rule for rule, _, column in found(report)} == {"day"}
    assert report.problems[0].line == 2 and report.problems[0].column == MSG_RT + 1
    assert report.problem_count == len(good) - 1


def test_day_given_explicitly(good, validate_bytes):
    assert validate_bytes(to_bytes(good), "export.csv").ok
    assert validate_bytes(to_bytes(good), "export.csv", day=WEDNESDAY).ok
    report = validate_bytes(to_bytes(good), "export.csv", day=date(2026, 3, 3))
    assert {rule for rule, _, _ in found(report)} == {"day"}


def test_rows_out_of_order(records, validate_bytes):
    index = next(index for index in range(5, len(records) - 1)
                 if records[index][MSG_RT] < records[index + 1][MSG_RT]
                 and records[index][SESSION_ID] != records[index + 1][SESSION_ID])
    records[index], records[index + 1] = records[index + 1], records[index]
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("order", index + 2, MSG_RT + 1)]


def test_state_chain_broken(records, validate_bytes):
    index = session_with_rows(records, 3)[2]
    records[index][STATE_BEFORE] = "/SomewhereElse"
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("state-chain", index + 1, STATE_BEFORE + 1)]
    assert "'/SomewhereElse'" in report.problems[0].message


def test_count_lower_than_the_rows(records, validate_bytes):
    indices = session_with_rows(records, 3)
    for index in indices:
        records[index][COUNT] = "1"
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("count", indices[1] + 1, COUNT + 1)]


def test_count_equal_to_the_rows_is_fine(records, validate_bytes):
    indices = session_with_rows(records, 3)
    for index in indices:
        records[index][COUNT] = str(len(indices))
    assert validate_bytes(to_bytes(records)).ok


@pytest.mark.parametrize("column", [SESSION_START, SESSION_END, COUNT, SESSION_TAG, CHANNEL_NAME, CLIENT_NAME,
                                    PROJECT_NAME])
def test_session_level_value_changing(records, validate_bytes, column):
    indices = session_with_rows(records, 3)
    value = records[indices[1]][column]
    records[indices[1]][column] = {SESSION_START: "04.03.2026 00:00:00", SESSION_END: "04.03.2026 23:59:59",
                                   COUNT: "999"}.get(column, value + "x")
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("session-constant", indices[1] + 1, column + 1)]
    assert f"line {indices[0] + 1}" in report.problems[0].message


def test_operator_reply_without_a_transfer(records, validate_bytes):
    indices = session_with_rows(records, 3)
    records[indices[2]][MSG_OPERATOR] = "true"
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("operator", indices[2] + 1, MSG_OPERATOR + 1)]


def test_operator_reply_in_a_session_from_an_earlier_day_is_fine(records, validate_bytes):
    """The transfer may be in an earlier day's file."""
    indices = session_with_rows(records, 1, began_today=False)
    records[indices[-1]][MSG_OPERATOR] = "true"
    assert validate_bytes(to_bytes(records)).ok


def test_session_times_outside_the_session(records, validate_bytes):
    indices = session_with_rows(records, 2)
    for index in indices:
        records[index][SESSION_END] = records[indices[0]][MSG_RT]
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("session-times", index + 1, MSG_RT + 1) for index in indices[1:]]


def test_unknown_channel_and_foreign_client_id(records, validate_bytes):
    indices = session_with_rows(records, 2)
    for index in indices:
        records[index][CHANNEL_TYPE] = "Pager"
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("channel", index + 1, CHANNEL_TYPE + 1) for index in indices]
    channel = records[indices[0]][CHANNEL_TYPE] = "VK"
    for index in indices:
        records[index][CHANNEL_TYPE] = channel
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("client-id", index + 1, CLIENT_ID + 1) for index in indices]


def test_bad_session_id(records, validate_bytes):
    indices = session_with_rows(records, 2)
    for index in indices:
        records[index][SESSION_ID] = records[index][SESSION_ID].rsplit(".", 1)[0]
    report = validate_bytes(to_bytes(records))
    assert found(report) == [("session-id", index + 1, SESSION_ID + 1) for index in indices]


def test_unclosed_quote(good, validate_bytes):
    data = to_bytes(good)
    lines = data.split(b"\r\n")
    lines[12] = b'"' + lines[12]
    report = validate_bytes(b"\r\n".join(lines))
    assert [(rule, line) for rule, line, _ in found(report)] == [("quoting", 13)]


def test_unclosed_quote_at_the_end(good, validate_bytes):
    data = to_bytes(good) + b'"never closed;' + b";".join(field.encode() for field in good[1][1:])
    report = validate_bytes(data)
    assert [(rule, line) for rule, line, _ in found(report)] == [("quoting", len(good) + 1)]


def test_non_utf8_bytes_are_an_encoding_problem(good, validate_bytes):
    data = to_bytes(good).replace(b"Demobot", b"Demo\xffbot", 1)
    report = validate_bytes(data)
    assert [rule for rule, _, _ in found(report)] == ["encoding"]
    assert not report.ok


def test_latin1_file_is_an_encoding_problem(good, validate_bytes):
    data = to_bytes(good).decode("utf-8").encode("cp1251", errors="replace")
    data = data.replace(b"Demobot", "Демобот".encode("cp1251"))
    assert validate_bytes(data).problems[0].rule == "encoding"


@pytest.mark.parametrize("line", [2, 30, 150])
def test_non_utf8_bytes_are_reported_on_their_line(line, validate_bytes):
    data = day_bytes(AccountSpec(1234567, sessions_per_day=60), WEDNESDAY)
    lines = data.split(b"\r\n")
    assert len(lines) > line
    lines[line - 1] = lines[line - 1].replace(b";Demobot;", b";Demo\xffbot;", 1)
    report = validate_bytes(b"\r\n".join(lines))
    assert [(rule, line_number) for rule, line_number, _ in found(report)] == [("encoding", line)]


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf"])
def test_empty_file(data, validate_bytes):
    report = validate_bytes(data)
    assert found(report) == [("empty", 1, 0)]
    assert "FAILED" in report.summary()


def test_missing_file_is_reported_not_raised(tmp_path):
    report = validate_file(tmp_path / "nowhere.csv")
    assert not report.ok
    assert "nowhere.csv" in str(report.problems[0])


# -- where problems are reported -----------------------------------------------------------------------------


def test_printed_form(records, validate_bytes):
    index = session_with_rows(records)[1]
    records[index][MSG_OPERATOR] = "yes"
    report = validate_bytes(to_bytes(records))
    (problem,) = report.problems
    match = PRINTED.fullmatch(str(problem))
    assert match, str(problem)
    assert match["path"].endswith(NAME)
    assert (int(match["line"]), int(match["column"]), match["name"], match["rule"]) == (
        index + 1, 17, "msg_operator", "boolean")
    assert match["message"] == "'yes' is not 'true' or 'false'"
    assert str(problem) == f"{problem.path}:{index + 1}:17 (msg_operator): boolean: 'yes' is not 'true' or 'false'"
    assert "FAILED: 1 problem(s)" in report.summary() and "boolean" in report.summary()


def test_every_rule_is_documented_in_the_rule_table():
    assert {"separator", "header", "field-count", "datetime", "integer", "boolean", "day", "order", "state-chain",
            "count", "session-constant", "operator", "quoting", "encoding", "empty"} <= set(RULES)


@pytest.mark.parametrize("dialect", [Dialect(), Dialect(line_end="\n", quote_all=True, bom=True)],
                         ids=["crlf", "lf-quoted-bom"])
def test_lines_are_physical_after_embedded_line_breaks(records, validate_bytes, dialect):
    records[3][MSG_QUESTION] = "first line\nsecond line"  # one extra physical line
    records[5][MSG_ANSWER] = "a\r\nb\r\nc"  # two more
    records[12][MSG_SWITCHED] = "True"  # a record after them
    records[5][MSG_OPERATOR] = "TRUE"  # the multi-line record itself: reported where it starts
    report = validate_bytes(to_bytes(records, dialect))
    assert found(report) == [("boolean", 5 + 1 + 1, MSG_OPERATOR + 1), ("boolean", 12 + 1 + 3, MSG_SWITCHED + 1)]
    data = to_bytes(records, dialect).decode("utf-8-sig")
    assert next(csv.reader([data.split("\n")[12 + 3]], delimiter=";"))[MSG_SWITCHED] == "True"  # line 16


def test_unclosed_quote_line_after_embedded_line_breaks(records, validate_bytes):
    records[3][MSG_QUESTION] = "first line\nsecond line"
    data = to_bytes(records)
    lines = data.split(b"\r\n")
    lines[13] = b'"' + lines[13]  # record 13 starts on physical line 14 + 1
    report = validate_bytes(b"\r\n".join(lines))
    assert [(rule, line) for rule, line, _ in found(report)] == [("quoting", 15)]


def test_problem_list_is_capped_but_counted(good, validate_bytes):
    report = validate_bytes(to_bytes(good), "05-03-2026.csv", max_errors=5)
    assert len(report.problems) == 5
    assert report.problem_count == len(good) - 1
    assert "first 5 listed" in report.summary()


def test_header_line_is_the_schema_header(good):
    assert ";".join(good[0]) == HEADER_LINE
