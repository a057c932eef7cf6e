"""The validator: the export format and every invariant a consumer may rely on, with precise locations.

Each problem names the file, the line (where the record starts), the column (number and name) and the
rule, e.g. ``03-03-2026.csv:17:11 (msg_rt): day: 04.03.2026 00:00:03 is not on the file's day 03.03.2026``.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from generators.channels import channel_from_label
from generators.csvformat import BOM
from generators.schema import (
    CHANNEL_TYPE,
    CLIENT_ID,
    COLUMN_NAMES,
    COLUMNS,
    FILE_DAY_PATTERN,
    MSG_OPERATOR,
    MSG_RT,
    MSG_SWITCHED,
    QUESTIONS_COUNT,
    SESSION_END,
    SESSION_ID,
    SESSION_START,
    STATE_AFTER,
    STATE_BEFORE,
    ExportDialect,
    Kind,
    parse_bool,
    parse_datetime,
    parse_file_day,
    parse_int,
)

RULES: dict[str, str] = {
    "encoding": "the file is UTF-8",
    "empty": "the file has a header row",
    "separator": "fields are separated by ';'",
    "header": "the header names the 19 columns in order",
    "quoting": "quoted fields are closed and quotes inside them doubled",
    "field-count": "every row has 19 fields",
    "datetime": "date-times are real dd.MM.yyyy HH:mm:ss",
    "integer": "counts are non-negative integers",
    "boolean": "flags are 'true' or 'false'",
    "channel": "channel_type is a known channel (display name or id)",
    "client-id": "client_id is <channelType>-<botId>-<userId>",
    "session-id": "session_id is <uuid>.<uuid4> or <clientId>.<uuid4>",
    "day": "msg_rt lies on the file's day (UTC)",
    "order": "rows are ordered by msg_rt",
    "session-times": "session_start_time <= msg_rt <= session_end_time",
    "session-constant": "session-level columns are the same on every row of a session",
    "state-chain": "a phrase's state_before is the previous phrase's state_after in its session",
    "count": "session_questions_count is at least the session's rows in the file",
    "operator": "agent replies (msg_operator) follow a transfer (msg_switched) in sessions that began that day",
}

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
_SESSION_ID = re.compile(rf"^(?:{_UUID}|.+)\.{_UUID4}$")
_FILE_DAY = re.compile(f"({FILE_DAY_PATTERN})\\.csv$")
_SESSION_COLUMNS = tuple(column.number - 1 for column in COLUMNS if column.session_level)
_TYPED = tuple((column.number - 1, column.kind) for column in COLUMNS if column.kind is not Kind.TEXT)
_OTHER_SEPARATORS = {",": "','", "\t": "tab", "|": "'|'"}


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    column: int
    rule: str
    message: str

    def __str__(self) -> str:
        name = f" ({COLUMN_NAMES[self.column - 1]})" if 1 <= self.column <= len(COLUMN_NAMES) else ""
        return f"{self.path}:{self.line}:{self.column}{name}: {self.rule}: {self.message}"


@dataclass
class Report:
    path: str
    day: date | None = None
    rows: int = 0
    sessions: int = 0
    dialect: str = ""
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def summary(self) -> str:
        day = self.day.strftime("%d.%m.%Y") if self.day else "unknown"
        if self.ok:
            return (f"{self.path}: OK: {self.rows} rows, {self.sessions} sessions, day {day}"
                    f"{f' ({self.dialect})' if self.dialect else ''}")
        rules = sorted({problem.rule for problem in self.problems})
        shown = "" if self.problem_count == len(self.problems) else f", first {len(self.problems)} listed"
        return (f"{self.path}: FAILED: {self.problem_count} problem(s){shown} in {self.rows} rows; "
                f"rules broken: {', '.join(rules)}")


@dataclass(slots=True)
class _Session:
    values: tuple[str, ...]
    first_line: int
    start: datetime | None
    end: datetime | None
    count: int | None
    rows: int = 0
    last_state: str | None = None
    switched: bool = False
    count_reported: bool = False


class _Collector:
    def __init__(self, report: Report, max_errors: int) -> None:
        self.report = report
        self.max_errors = max_errors

    def add(self, line: int, column: int, rule: str, message: str) -> None:
        self.report.problem_count += 1
        if len(self.report.problems) < self.max_errors:
            self.report.problems.append(Problem(self.report.path, line, column, rule, message))


class _Unreadable(Exception):
    """The file stops being readable at ``line``: bad UTF-8 or CSV that does not parse."""

    def __init__(self, line: int, rule: str, message: str) -> None:
        super().__init__(message)
        self.line, self.rule, self.message = line, rule, message


def _lines(binary, bom: bool) -> Iterator[str]:
    """Physical lines decoded one by one, so that a decoding error knows its line."""
    for number, raw in enumerate(binary, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _Unreadable(number, "encoding", f"not UTF-8 ({error.reason} at byte {error.start} of the line)"
                              ) from None
        yield text[1:] if number == 1 and bom else text


def _records(lines: Iterator[str]) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of each record; the header is line 1."""
    reader = csv.reader(lines, ExportDialect)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _Unreadable(line, "quoting", f"the CSV does not parse from here: {error}") from None
        yield line, fields
        line = reader.line_num + 1


def validate_file(path: str | os.PathLike, *, day: date | None = None, max_errors: int = 50) -> Report:
    """Check one export file; never raises for bad content (only problems in the report)."""
    path = Path(path)
    report = Report(str(path))
    found = _Collector(report, max_errors)
    try:
        with open(path, "rb") as probe:
            head = probe.read(64 * 1024)
    except OSError as error:
        found.add(0, 0, "encoding", f"cannot read the file: {error.strerror or error}")
        return report
    bom = head.startswith(BOM.encode())
    if day is None:
        match = _FILE_DAY.search(path.name)
        if match:
            try:
                day = parse_file_day(match.group(1))
            except ValueError:
                day = None
    newline = head.find(b"\n")
    ends = "CRLF" if newline > 0 and head[newline - 1:newline] == b"\r" else "LF"
    quoted = head[3 if bom else 0:][:1] == b'"'
    report.dialect = f"{'quote all' if quoted else 'minimal quoting'}, {'BOM' if bom else 'no BOM'}, {ends}"
    with open(path, "rb") as binary:
        try:
            _check(_records(_lines(binary, bom)), report, found, day)
        except _Unreadable as error:
            found.add(error.line, 0, error.rule, error.message)
    return report


def _check_header(line: int, header: list[str], found: _Collector) -> bool:
    if tuple(header) == COLUMN_NAMES:
        return True
    if len(header) == 1:
        for separator, name in _OTHER_SEPARATORS.items():
            if header[0].count(separator) >= 5:
                found.add(line, 1, "separator", f"the header is separated by {name}, not ';'")
                return False
    missing = [name for name in COLUMN_NAMES if name not in header]
    extra = [name for name in header if name not in COLUMN_NAMES]
    if missing:
        found.add(line, 0, "header", f"missing column(s): {', '.join(missing)}")
    if extra:
        found.add(line, len(COLUMN_NAMES) + 1, "header", f"unexpected column(s): {', '.join(extra)}")
    if not missing and not extra:
        for position, (got, expected) in enumerate(zip(header, COLUMN_NAMES, strict=False), start=1):
            if got != expected:
                found.add(line, position, "header", f"column {position} is {got!r}, expected {expected!r}")
                break
    return False


_PARSERS: dict[Kind, tuple[Callable[[str], object], str, str]] = {
    Kind.DATETIME: (parse_datetime, "datetime", "a real dd.MM.yyyy HH:mm:ss date-time"),
    Kind.INTEGER: (parse_int, "integer", "a non-negative integer"),
    Kind.BOOLEAN: (parse_bool, "boolean", "'true' or 'false'"),
}
"""How each typed column is read: (parser, rule, what the text should be)."""


@dataclass
class _Row:
    line: int
    fields: list[str]
    parsed: dict[int, object]

    def moment(self, index: int) -> datetime | None:
        value = self.parsed.get(index)
        return value if isinstance(value, datetime) else None


@dataclass
class _FileCheck:
    """What the row rules remember between rows of one file."""

    report: Report
    found: _Collector
    day: date | None
    sessions: dict[str, _Session] = field(default_factory=dict)
    previous_rt: datetime | None = None
    day_start: datetime | None = None

    def add(self, row: _Row, index: int, rule: str, message: str) -> None:
        self.found.add(row.line, index + 1, rule, message)


def _parse_typed(check: _FileCheck, row: _Row) -> None:
    for index, kind in _TYPED:
        parse, rule, expectation = _PARSERS[kind]
        try:
            row.parsed[index] = parse(row.fields[index])
        except ValueError:
            check.add(row, index, rule, f"{row.fields[index]!r} is not {expectation}")


def _check_channel(check: _FileCheck, row: _Row) -> None:
    label, client = row.fields[CHANNEL_TYPE], row.fields[CLIENT_ID]
    channel = channel_from_label(label)
    if channel is None:
        check.add(row, CHANNEL_TYPE, "channel", f"unknown channel type {label!r}")
    elif not client.startswith(f"{channel.id}-"):
        check.add(row, CLIENT_ID, "client-id", f"{client!r} does not start with the channel type {channel.id!r}")


def _check_session_id(check: _FileCheck, row: _Row) -> None:
    if not _SESSION_ID.match(row.fields[SESSION_ID]):
        check.add(row, SESSION_ID, "session-id", f"{row.fields[SESSION_ID]!r} is not <id>.<uuid4>")


def _check_moment(check: _FileCheck, row: _Row) -> None:
    moment = row.moment(MSG_RT)
    if moment is None:
        return
    text = row.fields[MSG_RT]
    if check.day is None:
        check.day = moment.date()
    if check.day_start is None:
        check.day_start = datetime(check.day.year, check.day.month, check.day.day, tzinfo=moment.tzinfo)
        check.report.day = check.day
    if not check.day_start <= moment < check.day_start + timedelta(days=1):
        check.add(row, MSG_RT, "day", f"{text} is not on the file's day {check.day:%d.%m.%Y}")
    if check.previous_rt is not None and moment < check.previous_rt:
        check.add(row, MSG_RT, "order",
                  f"{text} is earlier than the previous row's {check.previous_rt:%d.%m.%Y %H:%M:%S}")
    check.previous_rt = moment
    start, end = row.moment(SESSION_START), row.moment(SESSION_END)
    if start is not None and end is not None and not start <= moment <= end:
        check.add(row, MSG_RT, "session-times",
                  f"{text} is outside the session's {row.fields[SESSION_START]} .. {row.fields[SESSION_END]}")


def _check_session(check: _FileCheck, row: _Row) -> None:
    fields = row.fields
    values = tuple(fields[index] for index in _SESSION_COLUMNS)
    session = check.sessions.get(fields[SESSION_ID])
    if session is None:
        count = row.parsed.get(QUESTIONS_COUNT)
        session = check.sessions[fields[SESSION_ID]] = _Session(
            values, row.line, row.moment(SESSION_START), row.moment(SESSION_END),
            count if isinstance(count, int) else None)
    elif values != session.values:
        position, got, expected = next(
            (position, got, expected) for position, (got, expected) in enumerate(zip(values, session.values,
                                                                                    strict=True)) if got != expected)
        check.add(row, _SESSION_COLUMNS[position], "session-constant",
                  f"{got!r} differs from {expected!r} on line {session.first_line} of the same session")
    session.rows += 1
    if session.count is not None and session.rows > session.count and not session.count_reported:
        session.count_reported = True
        check.add(row, QUESTIONS_COUNT, "count",
                  f"the session has more rows here ({session.rows}) than its count {session.count}")
    if session.last_state is not None and fields[STATE_BEFORE] != session.last_state:
        check.add(row, STATE_BEFORE, "state-chain",
                  f"{fields[STATE_BEFORE]!r} does not follow the previous phrase's state_after {session.last_state!r}")
    session.last_state = fields[STATE_AFTER]
    began_today = session.start is not None and check.day_start is not None and session.start >= check.day_start
    if row.parsed.get(MSG_OPERATOR) is True and not session.switched and began_today:
        check.add(row, MSG_OPERATOR, "operator", "an agent replied, but no earlier phrase of this "
                  "session was transferred (msg_switched=true)")
    if row.parsed.get(MSG_SWITCHED) is True:
        session.switched = True


ROW_RULES: tuple[Callable[[_FileCheck, _Row], None], ...] = (
    _parse_typed, _check_channel, _check_session_id, _check_moment, _check_session)
"""Applied to every complete row in this order (the order of a row's problems in the report)."""


def _check_field_count(check: _FileCheck, line: int, fields: list[str]) -> bool:
    """True when the row has its 19 fields; else reports it and forgets its session's last state."""
    expected = len(COLUMN_NAMES)
    if len(fields) == expected:
        return True
    which = "missing" if len(fields) < expected else "extra"
    check.found.add(line, len(fields) + 1 if which == "missing" else expected + 1, "field-count",
                    f"{len(fields)} fields, expected {expected} ({which} columns)")
    broken = check.sessions.get(fields[SESSION_ID]) if fields else None
    if broken is not None:  # its states are unknown: do not blame the session's next phrase for them
        broken.last_state = None
    return False


def _check(records: Iterator[tuple[int, list[str]]], report: Report, found: _Collector, day: date | None) -> None:
    first = next(records, None)
    if first is None or not first[1]:  # nothing, or a BOM and nothing else
        found.add(1, 0, "empty", "the file is empty: expected a header row")
        return
    if not _check_header(*first, found):
        return
    check = _FileCheck(report, found, day)
    for line, fields in records:
        report.rows += 1
        if not _check_field_count(check, line, fields):
            continue
        row = _Row(line, fields, {})
        for rule in ROW_RULES:
            rule(check, row)
    report.sessions = len(check.sessions)
    if report.day is None:
        report.day = check.day
